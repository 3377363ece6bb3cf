// Input `kubernetes-version`: which release the renders are checked against. It decides helm's `--kube-version`
// (so `.Capabilities.KubeVersion` agrees with what is checked), the built-in schemas used (the nearest shipped
// minor not older: schema/builtin.ts schemaMinorFor), and which API versions are removed (an error naming the replacement) or deprecated
// (a warning) in that release. Pure.
//
// The table follows the Kubernetes deprecation guide: the release a beta API version was deprecated in and the
// one it stopped being served in.
export interface KubeVersion {
  /** As given to helm: `v1.36.0`. */
  text: string
  minor: number
}

/** The default of input `kubernetes-version`. */
export const DEFAULT_KUBERNETES_VERSION = '1.36'

/** The oldest release accepted (every removal the table knows happened after it). */
const OLDEST_MINOR = 16

/** `1.36`, `v1.36`, `1.36.2`, `v1.36.2` → KubeVersion; undefined when it is none of those (or older than 1.16). */
export function parseKubeVersion(text: string): KubeVersion | undefined {
  const match = /^v?1\.(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim())
  if (!match) return undefined
  const minor = Number(match[1])
  if (minor < OLDEST_MINOR) return undefined
  return { text: `v1.${minor}.${match[2] ?? '0'}`, minor }
}

interface ApiChange {
  apiVersion: string
  kinds: readonly string[]
  deprecatedIn: number
  /** The minor it is no longer served in; undefined: deprecated, still served. */
  removedIn?: number
  /** What to use instead, e.g. `apps/v1`; per kind when they differ. */
  replacement: string | Readonly<Record<string, string>>
}

const WORKLOADS = ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet', 'ControllerRevision']

const API_CHANGES: readonly ApiChange[] = [
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Deployment', 'DaemonSet', 'ReplicaSet', 'NetworkPolicy', 'PodSecurityPolicy'],
    deprecatedIn: 9,
    removedIn: 16,
    replacement: {
      Deployment: 'apps/v1',
      DaemonSet: 'apps/v1',
      ReplicaSet: 'apps/v1',
      NetworkPolicy: 'networking.k8s.io/v1',
      PodSecurityPolicy: 'policy/v1beta1'
    }
  },
  { apiVersion: 'apps/v1beta1', kinds: WORKLOADS, deprecatedIn: 9, removedIn: 16, replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: WORKLOADS, deprecatedIn: 9, removedIn: 16, replacement: 'apps/v1' },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Ingress'],
    deprecatedIn: 14,
    removedIn: 22,
    replacement: 'networking.k8s.io/v1'
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    deprecatedIn: 16,
    removedIn: 22,
    replacement: 'admissionregistration.k8s.io/v1'
  },
  {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kinds: ['CustomResourceDefinition'],
    deprecatedIn: 16,
    removedIn: 22,
    replacement: 'apiextensions.k8s.io/v1'
  },
  {
    apiVersion: 'apiregistration.k8s.io/v1beta1',
    kinds: ['APIService'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'apiregistration.k8s.io/v1'
  },
  {
    apiVersion: 'authentication.k8s.io/v1beta1',
    kinds: ['TokenReview'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'authentication.k8s.io/v1'
  },
  {
    apiVersion: 'authorization.k8s.io/v1beta1',
    kinds: ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'authorization.k8s.io/v1'
  },
  {
    apiVersion: 'certificates.k8s.io/v1beta1',
    kinds: ['CertificateSigningRequest'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'certificates.k8s.io/v1'
  },
  {
    apiVersion: 'coordination.k8s.io/v1beta1',
    kinds: ['Lease'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'coordination.k8s.io/v1'
  },
  {
    apiVersion: 'networking.k8s.io/v1beta1',
    kinds: ['Ingress', 'IngressClass'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'networking.k8s.io/v1'
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    deprecatedIn: 17,
    removedIn: 22,
    replacement: 'rbac.authorization.k8s.io/v1'
  },
  {
    apiVersion: 'scheduling.k8s.io/v1beta1',
    kinds: ['PriorityClass'],
    deprecatedIn: 14,
    removedIn: 22,
    replacement: 'scheduling.k8s.io/v1'
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    deprecatedIn: 19,
    removedIn: 22,
    replacement: 'storage.k8s.io/v1'
  },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], deprecatedIn: 21, removedIn: 25, replacement: 'batch/v1' },
  {
    apiVersion: 'discovery.k8s.io/v1beta1',
    kinds: ['EndpointSlice'],
    deprecatedIn: 21,
    removedIn: 25,
    replacement: 'discovery.k8s.io/v1'
  },
  {
    apiVersion: 'events.k8s.io/v1beta1',
    kinds: ['Event'],
    deprecatedIn: 19,
    removedIn: 25,
    replacement: 'events.k8s.io/v1'
  },
  {
    apiVersion: 'autoscaling/v2beta1',
    kinds: ['HorizontalPodAutoscaler'],
    deprecatedIn: 23,
    removedIn: 25,
    replacement: 'autoscaling/v2'
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodDisruptionBudget'],
    deprecatedIn: 21,
    removedIn: 25,
    replacement: 'policy/v1'
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodSecurityPolicy'],
    deprecatedIn: 21,
    removedIn: 25,
    replacement: 'nothing: use Pod Security Admission (namespace labels)'
  },
  {
    apiVersion: 'node.k8s.io/v1beta1',
    kinds: ['RuntimeClass'],
    deprecatedIn: 20,
    removedIn: 25,
    replacement: 'node.k8s.io/v1'
  },
  {
    apiVersion: 'autoscaling/v2beta2',
    kinds: ['HorizontalPodAutoscaler'],
    deprecatedIn: 23,
    removedIn: 26,
    replacement: 'autoscaling/v2'
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecatedIn: 23,
    removedIn: 26,
    replacement: 'flowcontrol.apiserver.k8s.io/v1'
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIStorageCapacity'],
    deprecatedIn: 24,
    removedIn: 27,
    replacement: 'storage.k8s.io/v1'
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecatedIn: 26,
    removedIn: 29,
    replacement: 'flowcontrol.apiserver.k8s.io/v1'
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecatedIn: 29,
    removedIn: 32,
    replacement: 'flowcontrol.apiserver.k8s.io/v1'
  },
  {
    apiVersion: 'v1',
    kinds: ['Endpoints'],
    deprecatedIn: 33,
    replacement: { Endpoints: 'discovery.k8s.io/v1 EndpointSlice' }
  }
]

export interface ApiStatus {
  status: 'removed' | 'deprecated'
  /** e.g. `policy/v1`, or a sentence when there is no like-for-like replacement. */
  replacement: string
  deprecatedIn: string
  removedIn?: string
}

/** Whether `apiVersion` `kind` is removed or deprecated in `version`; undefined when it is neither. */
export function apiStatus(apiVersion: string, kind: string, version: KubeVersion): ApiStatus | undefined {
  for (const change of API_CHANGES) {
    if (change.apiVersion !== apiVersion || !change.kinds.includes(kind)) continue
    if (version.minor < change.deprecatedIn) return undefined
    const replacement =
      typeof change.replacement === 'string' ? change.replacement : (change.replacement[kind] ?? 'a served version')
    const out: ApiStatus = {
      status: change.removedIn !== undefined && version.minor >= change.removedIn ? 'removed' : 'deprecated',
      replacement,
      deprecatedIn: `1.${change.deprecatedIn}`
    }
    if (change.removedIn !== undefined) out.removedIn = `1.${change.removedIn}`
    return out
  }
  return undefined
}
