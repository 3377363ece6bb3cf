// go-yaml's leniencies for the render parser (render.ts parseRenderAsHelm): a rendered document the `yaml` library
// refuses is read again here, as helm, kubectl and the API server read it (go-yaml, through sigs.k8s.io/yaml).
// What go-yaml reads and `yaml` refuses: quoted scalars and flow collections continued at or below their key's
// indentation (a CRD's description written by hand, a flow list broken over lines). js-yaml reads YAML as libyaml,
// go-yaml's origin, and PyYAML do; it is loaded only when a render needs it (a chunk of dist/ of its own: most runs
// never load it). Scalars resolve by the core schema, as the `yaml` library resolves them, merge keys included;
// a key written twice keeps its last value, as go-yaml does. __tests__/integration/yaml-leniency.test.ts compares
// it with helm's own reader on a corpus of such documents.
import { CORE_SCHEMA, Type, load } from 'js-yaml'

/** `<<` merge keys (js-yaml's own merge type, which its type declarations do not name). */
const MERGE = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' })
const SCHEMA = CORE_SCHEMA.extend({ implicit: [MERGE] })

/** One YAML document as go-yaml reads it; throws what js-yaml says when it is not YAML to go-yaml either. */
export function parseLeniently(text: string): unknown {
  return load(text, { schema: SCHEMA, json: true })
}
