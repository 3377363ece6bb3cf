// Findings of the images gate, grouped so that one problem gets one finding
// with one fix: the failing images set through values (of the blueprint, or of
// a dependency, overridable from the blueprint's values.yaml) become one values
// snippet; images written in one own template, one finding at that template;
// a dependency's images with no values key, one finding at its Chart.yaml
// dependency line with allowlist lines. Pure: no I/O.
//
// Snippets carry `sha256:<digest>` placeholders on lines that name their image;
// pinned references looked up later (resolve-digests) are data of the images
// step (ImageData.pinned), and reporting fills them in.
import type { ImageRef } from '../images/image-ref.js'
import type { Finding, FixSnippet } from '../types.js'
import { nestedYaml, setPath, type ValuePath } from './common.js'

const DIGEST_PLACEHOLDER = 'sha256:<digest>'

/** One distinct failing image and what is known about where it is set. */
export interface ImageProblem {
  image: string
  ref?: ImageRef
  reason: string
  /** The dependency's values key (e.g. `temporal`) whose templates use it; undefined: the blueprint's own templates. */
  dependency?: string
  /** The values key that sets it, from the umbrella chart's root (e.g. `['temporal','web','image','tag']`). */
  valuesKey?: { path: ValuePath; line?: number; hasDigestKey: boolean }
  /** The blueprint template that uses it (repository path), with the line that writes it literally. */
  template?: { file: string; line?: number; text?: string }
}

export interface ProblemContext {
  policy: string
  /** values.yaml of the blueprint, as shown (repository path), and the line of a top-level key. */
  valuesFile: string
  valuesLineOf: (path: ValuePath) => number | undefined
  /** Chart.yaml (repository path) and the line of a dependency (by values key). */
  chartFile: string
  dependencyLine: (key: string) => number | undefined
}

const LISTED = 10
const SNIPPET_LINES = 25

function shown(image: string): string {
  return image === '' ? '(empty)' : image
}

function list(problems: readonly ImageProblem[]): string {
  const names = problems.slice(0, LISTED).map((p) => `\`${shown(p.image)}\``)
  const more = problems.length > LISTED ? `, and ${problems.length - LISTED} more` : ''
  return `${names.join(', ')}${more}`
}

/** `repo:tag@sha256:<digest>` for an image (its tag kept, `<tag>` when it has none). */
function pinnedPlaceholder(p: ImageProblem): string {
  if (!p.ref) return `${shown(p.image)}@${DIGEST_PLACEHOLDER}`
  return `${p.ref.familiar}:${p.ref.tag ?? '<tag>'}@${DIGEST_PLACEHOLDER}`
}

/** A YAML snippet setting each problem's values key; each line names its image in a comment. */
function valuesSnippet(problems: readonly ImageProblem[]): string {
  interface Node {
    children: Map<string, Node>
    leaf?: string
  }
  const root: Node = { children: new Map() }
  for (const p of problems) {
    const key = p.valuesKey!
    let path = key.path.map(String)
    let value: string
    const last = path[path.length - 1]
    if (last === 'tag' && key.hasDigestKey) {
      path = [...path.slice(0, -1), 'digest']
      value = `${DIGEST_PLACEHOLDER}  # ${p.image}`
    } else if (last === 'tag') {
      value = `"${p.ref?.tag ?? '<tag>'}@${DIGEST_PLACEHOLDER}"  # ${p.image}`
    } else {
      value = `"${pinnedPlaceholder(p)}"`
    }
    let node = root
    for (const segment of path.slice(0, -1)) {
      if (!node.children.has(segment)) node.children.set(segment, { children: new Map() })
      node = node.children.get(segment)!
    }
    node.children.set(path[path.length - 1], { children: new Map(), leaf: value })
  }
  const lines: string[] = []
  const yamlKey = (k: string): string => (/^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k))
  const emit = (node: Node, indent: string): void => {
    for (const [k, child] of node.children) {
      if (child.leaf !== undefined) lines.push(`${indent}${yamlKey(k)}: ${child.leaf}`)
      else {
        lines.push(`${indent}${yamlKey(k)}:`)
        emit(child, `${indent}  `)
      }
    }
  }
  emit(root, '')
  return capLines(lines)
}

function capLines(lines: string[], max = SNIPPET_LINES): string {
  if (lines.length <= max) return lines.join('\n')
  const more = `# … and ${lines.length - max} more lines: see the images table and the JSON report`
  return [...lines.slice(0, max), more].join('\n')
}

function allowlistSnippet(problems: readonly ImageProblem[], why: string): FixSnippet {
  const lines = problems.map((p) => `  ${p.ref ? p.ref.familiar : shown(p.image)} # ${why}`)
  return {
    language: 'yaml',
    label: 'or allow-list them in the workflow step:',
    text: ['image-allowlist: |', ...capLines(lines).split('\n')].join('\n')
  }
}

function digestHint(problems: readonly ImageProblem[]): string {
  const first = problems.find((p) => p.ref?.tag !== undefined)
  if (!first?.ref) return ''
  return ` (digest: \`crane digest ${first.ref.familiar}:${first.ref.tag}\`, or input \`resolve-digests: true\`)`
}

/** One finding per group of identical problems. */
export function problemFindings(problems: readonly ImageProblem[], ctx: ProblemContext): Finding[] {
  const groups = new Map<string, ImageProblem[]>()
  for (const p of problems) {
    let kind = 'nokey'
    if (!p.ref) kind = `invalid:${p.image}`
    else if (p.valuesKey) kind = 'values'
    else if (p.template) kind = `template:${p.template.file}`
    const key = `${p.dependency ?? ''}|${kind}`
    const group = groups.get(key)
    if (group) group.push(p)
    else groups.set(key, [p])
  }
  const findings: Finding[] = []
  for (const group of groups.values()) {
    const first = group[0]
    const of = first.dependency ? ` of the ${first.dependency} chart` : ''
    const one = group.length === 1
    const subject = one
      ? `Image \`${shown(first.image)}\`${of} is not pinned`
      : `${group.length} images${of} are not pinned`
    const base: Finding = { rule: 'image-pinned', severity: 'error', message: '' }
    if (!first.ref) {
      const message = `Image \`${shown(first.image)}\`${of} is not a valid reference: ${first.reason}.`
      findings.push({ ...base, message, ...where(first, ctx) })
      continue
    }
    if (first.valuesKey) {
      const keys = group.map((p) => `\`${setPath(p.valuesKey!.path)}\``)
      const withLine = group.find((p) => p.valuesKey!.line !== undefined)
      const line = withLine?.valuesKey!.line ?? (first.dependency ? ctx.valuesLineOf([first.dependency]) : undefined)
      findings.push({
        ...base,
        message: one
          ? `${subject} (policy ${ctx.policy}): ${first.reason}. Set by ${keys[0]}.`
          : `${subject} (policy ${ctx.policy}): ${list(group)}. ` +
            `Set by ${keys.slice(0, LISTED).join(', ')}${group.length > LISTED ? ', …' : ''}.`,
        fix: `pin by digest in ${ctx.valuesFile}${digestHint(group)}`,
        snippet: { language: 'yaml', text: valuesSnippet(group) },
        file: ctx.valuesFile,
        ...(line !== undefined ? { line } : {})
      })
      continue
    }
    if (first.template) {
      const withLine = group.find((p) => p.template!.line !== undefined)
      const snippet: FixSnippet =
        one && first.template.text !== undefined
          ? {
              // A template line is YAML until it holds template actions.
              language: first.template.text.includes('{{') ? 'gotmpl' : 'yaml',
              text: first.template.text.replace(first.image, pinnedPlaceholder(first))
            }
          : {
              language: 'text',
              text: capLines(
                group.map((p) => pinnedPlaceholder(p)),
                LISTED
              )
            }
      findings.push({
        ...base,
        message: `${subject} (policy ${ctx.policy}): ${one ? first.reason : list(group)}.`,
        fix:
          `pin by digest where ${first.template.file} sets ${one ? 'it' : 'them'}${digestHint(group)}, ` +
          `or add ${one ? 'it' : 'them'} to input \`image-allowlist\``,
        snippet,
        file: first.template.file,
        ...(withLine?.template!.line !== undefined ? { line: withLine.template.line } : {})
      })
      continue
    }
    // A dependency's image that no values key sets: the blueprint cannot pin it.
    const line = first.dependency ? ctx.dependencyLine(first.dependency) : undefined
    findings.push({
      ...base,
      message: `${subject} (policy ${ctx.policy}) and no values key sets ${one ? 'it' : 'them'}: ${list(group)}.`,
      fix: `ask the chart's maintainers for an image value, or accept ${one ? 'it' : 'them'}`,
      snippet: allowlistSnippet(group, `set by the ${first.dependency ?? 'dependency'} chart without a values key`),
      file: ctx.chartFile,
      ...(line !== undefined ? { line } : {})
    })
  }
  return findings
}

function where(p: ImageProblem, ctx: ProblemContext): Pick<Finding, 'file' | 'line'> {
  if (p.template) return { file: p.template.file, ...(p.template.line !== undefined ? { line: p.template.line } : {}) }
  if (p.valuesKey) {
    return { file: ctx.valuesFile, ...(p.valuesKey.line !== undefined ? { line: p.valuesKey.line } : {}) }
  }
  return {}
}

/** An image whose path repeats its registry host, and the values key that does it (when found). */
export interface DoubledRegistryImage {
  image: string
  ref: ImageRef
  key?: { path: ValuePath; line?: number; repository: string }
}

/**
 * One warning per image that names its registry twice (`registry.k8s.io/registry.k8s.io/…`): no registry serves
 * that path, so the pod cannot start. The fix is the `repository` value without the host the registry adds.
 */
export function doubledRegistryFindings(images: readonly DoubledRegistryImage[], valuesFile: string): Finding[] {
  return images.map(({ image, ref, key }) => {
    const host = ref.domain
    const message = `Image \`${image}\` names its registry twice (\`${host}/${host}/…\`): no registry serves that path, so the pod cannot pull it.`
    if (!key) {
      return {
        rule: 'image-registry-twice',
        severity: 'warning',
        message: `${message} No values key of the chart's was found to compose it.`,
        fix: `give the image's repository without \`${host}/\` where its registry is set`
      }
    }
    const finding: Finding = {
      rule: 'image-registry-twice',
      severity: 'warning',
      message: `${message} Set by \`${setPath(key.path)}\`, whose registry (\`${host}\`) is given apart already.`,
      fix: `drop \`${host}/\` from \`${setPath(key.path)}\` in ${valuesFile}`,
      snippet: { language: 'yaml', text: nestedYaml(key.path, key.repository) },
      file: valuesFile
    }
    if (key.line !== undefined) finding.line = key.line
    return finding
  })
}
