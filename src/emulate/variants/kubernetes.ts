// Kubernetes variants: every spelling the API server accepts for the settings and actions the
// strategies claim (each workload kind's pod template, init and ephemeral containers, JSON and
// merge patches, updates, path forms of hostPath, legacy annotations, every exec verb), and the
// ordinary workloads that resemble them, written from their projects' documented manifests. No API
// server runs here, so each variant carries the audit events the API server would record
// (audit.k8s.io/v1, stage ResponseComplete) and is replay-only.
import { createHash } from 'node:crypto';
import type { Variant, VariantGenerator, VariantKind } from './types.js';

// ---------------------------------------------------------------------------------------------
// The audit event builder

export interface Actor {
  username: string;
  groups: string[];
  userAgent: string;
  ip: string;
}

const KUBECTL = 'kubectl/v1.30.2 (linux/amd64) kubernetes/39683505';
const DEV: Actor = { username: 'dev-jane', groups: ['developers', 'system:authenticated'], userAgent: KUBECTL, ip: '10.20.0.14' };
const ADMIN: Actor = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], userAgent: KUBECTL, ip: '10.20.0.5' };
const HELM: Actor = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], userAgent: 'helm/v3.15.2', ip: '10.20.0.5' };
const CI: Actor = {
  username: 'system:serviceaccount:ci:deployer',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
  userAgent: 'helm/v3.15.2',
  ip: '10.244.1.17',
};
/** A workload's service account token, stolen and used from outside. */
const STOLEN_SA: Actor = {
  username: 'system:serviceaccount:default:default',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  userAgent: 'curl/8.5.0',
  ip: '10.244.3.9',
};

function controller(name: string): Actor {
  const sa = `system:serviceaccount:kube-system:${name}`;
  return {
    username: sa,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    userAgent: `kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/39683505/${sa}`,
    ip: '10.20.0.5',
  };
}
function serviceAccount(ns: string, name: string, userAgent: string): Actor {
  return {
    username: `system:serviceaccount:${ns}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    userAgent,
    ip: '10.244.0.12',
  };
}
const NODE: Actor = {
  username: 'system:node:cp-1',
  groups: ['system:nodes', 'system:authenticated'],
  userAgent: 'kubelet/v1.30.2 (linux/amd64) kubernetes/39683505',
  ip: '10.20.0.5',
};

type Verb = 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'get' | 'list';

export interface Request {
  actor: Actor;
  verb: Verb;
  resource: string;
  /** API group; '' is the core group. */
  group?: string;
  version?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Query string of the request URI (exec commands travel there). */
  query?: string;
  /** Extra path after the subresource (nodes/proxy/...). */
  path?: string;
  body?: unknown;
  response?: unknown;
  code?: number;
}

/** Deterministic ids: the same variant always yields the same audit events. */
function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const T0 = Date.parse('2026-12-01T09:00:00.000Z');

/** One audit event as the API server writes it at the ResponseComplete stage. */
export function auditEvent(seed: string, i: number, r: Request): Record<string, unknown> {
  const group = r.group ?? '';
  const version = r.version ?? 'v1';
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  // a create names no object in its URI unless it creates a subresource (pods/x/exec)
  const named = r.name !== undefined && (r.verb !== 'create' || r.subresource !== undefined);
  const uri =
    base +
    (r.namespace !== undefined && r.resource !== 'namespaces' ? `/namespaces/${r.namespace}` : '') +
    `/${r.resource}` +
    (named ? `/${r.name}` : '') +
    (r.subresource ? `/${r.subresource}` : '') +
    (r.path ?? '') +
    (r.query ? `?${r.query}` : '');
  const streaming = r.subresource === 'exec' || r.subresource === 'attach' || r.subresource === 'portforward';
  const code = r.code ?? (streaming ? 101 : r.verb === 'create' ? 201 : 200);
  const t = new Date(T0 + i * 1500).toISOString().replace('Z', '000Z');
  const ev: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: r.body !== undefined || r.response !== undefined ? 'RequestResponse' : 'Metadata',
    auditID: uuid(`${seed}#${i}`),
    stage: 'ResponseComplete',
    requestURI: uri,
    verb: r.verb,
    user: { username: r.actor.username, groups: r.actor.groups },
    sourceIPs: [r.actor.ip],
    userAgent: r.actor.userAgent,
    objectRef: {
      resource: r.resource,
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
      apiGroup: group,
      apiVersion: version,
      ...(r.subresource ? { subresource: r.subresource } : {}),
    },
    responseStatus: { metadata: {}, code },
    ...(r.body !== undefined ? { requestObject: r.body } : {}),
    ...(r.response !== undefined ? { responseObject: r.response } : {}),
    requestReceivedTimestamp: t,
    stageTimestamp: t,
    annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': '' },
  };
  return ev;
}

// ---------------------------------------------------------------------------------------------
// Workload objects

type Obj = Record<string, unknown>;
type WorkloadKind = 'Pod' | 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'ReplicaSet' | 'ReplicationController' | 'Job' | 'CronJob' | 'PodTemplate';

const KINDS: Record<WorkloadKind, { resource: string; group: string }> = {
  Pod: { resource: 'pods', group: '' },
  Deployment: { resource: 'deployments', group: 'apps' },
  DaemonSet: { resource: 'daemonsets', group: 'apps' },
  StatefulSet: { resource: 'statefulsets', group: 'apps' },
  ReplicaSet: { resource: 'replicasets', group: 'apps' },
  ReplicationController: { resource: 'replicationcontrollers', group: '' },
  Job: { resource: 'jobs', group: 'batch' },
  CronJob: { resource: 'cronjobs', group: 'batch' },
  PodTemplate: { resource: 'podtemplates', group: '' },
};

interface PodShape {
  spec: Obj;
  annotations?: Record<string, string>;
}

/** A workload of `kind` whose pods have `pod`, as `kubectl apply` or a chart sends it. */
function workload(kind: WorkloadKind, name: string, ns: string, pod: PodShape): Obj {
  const { group } = KINDS[kind];
  const apiVersion = group === '' ? 'v1' : `${group}/v1`;
  const labels = { 'app.kubernetes.io/name': name };
  const podMeta: Obj = { labels, ...(pod.annotations ? { annotations: pod.annotations } : {}) };
  const template = { metadata: podMeta, spec: pod.spec };
  const meta = { name, namespace: ns, labels };
  const selector = { matchLabels: labels };
  switch (kind) {
    case 'Pod':
      return { kind, apiVersion, metadata: { ...meta, ...(pod.annotations ? { annotations: pod.annotations } : {}) }, spec: pod.spec };
    case 'Deployment':
    case 'ReplicaSet':
      return { kind, apiVersion, metadata: meta, spec: { replicas: 1, selector, template } };
    case 'DaemonSet':
      return { kind, apiVersion, metadata: meta, spec: { selector, template } };
    case 'StatefulSet':
      return { kind, apiVersion, metadata: meta, spec: { serviceName: name, replicas: 1, selector, template } };
    case 'ReplicationController':
      return { kind, apiVersion, metadata: meta, spec: { replicas: 1, selector: labels, template } };
    case 'Job':
      return { kind, apiVersion, metadata: meta, spec: { backoffLimit: 0, template: { ...template, spec: { restartPolicy: 'Never', ...pod.spec } } } };
    case 'CronJob':
      return {
        kind,
        apiVersion,
        metadata: meta,
        spec: { schedule: '*/30 * * * *', jobTemplate: { spec: { template: { ...template, spec: { restartPolicy: 'OnFailure', ...pod.spec } } } } },
      };
    case 'PodTemplate':
      return { kind, apiVersion, metadata: meta, template };
  }
}

function createWorkload(actor: Actor, kind: WorkloadKind, name: string, ns: string, pod: PodShape): Request {
  const { resource, group } = KINDS[kind];
  return { actor, verb: 'create', resource, group, namespace: ns, name, body: workload(kind, name, ns, pod) };
}

const ALPINE = 'docker.io/library/alpine:3.20';
const sleeper = (extra: Obj = {}): Obj => ({ name: 'main', image: ALPINE, command: ['sleep', 'infinity'], ...extra });
/** A pod spec with one container, plus pod-level fields. */
const one = (container: Obj = {}, podLevel: Obj = {}): PodShape => ({ spec: { ...podLevel, containers: [sleeper(container)] } });
const hostPathPod = (path: string): PodShape =>
  one({ volumeMounts: [{ name: 'host', mountPath: '/host' }] }, { volumes: [{ name: 'host', hostPath: { path } }] });

// ---------------------------------------------------------------------------------------------
// Rule ids the variants expect (any one of a positive's list must fire)

export const K8S_RULES = {
  privileged: '6a81c573-57ca-4d01-82d6-b6d9d3e54611',
  hostAccess: '56b707c9-7d5b-4a89-a255-d161ca9f1205',
  capabilities: '2f9ab766-962d-41f1-91ff-5449fa702b16',
  isolation: 'bd27bcfd-8cbe-4eb9-b70d-75092215b55e',
  exec: '3272bd73-31b4-416a-80ca-9f373dd2aa2a',
  webhook: '4ddc54d6-d729-4031-91d7-bb0bef2377b8',
  podSecurity: 'c5103d2f-a388-4a30-81ed-e5a64712c46a',
  logOptOut: 'ff930ab4-97f5-4824-ae1d-21b19aa3a33f',
  agentRemoved: 'a49734cf-8b95-4ece-bbce-63c6f3c8cd1f',
  systemNamespace: 'c002c209-0ec4-4cdc-8262-8452f740fd5c',
  share: '7d3e9a41-6c2b-4f85-9e1a-0b4c8d2f6a17',
  kvm: '10049975-51e5-45f2-884d-a95855f22dee',
} as const;
const R = K8S_RULES;

interface Spec {
  id: string;
  family: string;
  technique?: string;
  description: string;
  expect?: string[];
  requests: Request[];
}

function build(strategy: string, kind: VariantKind, s: Spec): Variant {
  const id = `k8s-${s.id}`;
  return {
    strategy,
    id,
    kind,
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: kind === 'positive' ? (s.expect ?? []) : [],
    events: { format: 'k8s-audit', lines: s.requests.map((r, i) => JSON.stringify(auditEvent(`${strategy}/${id}`, i, r))) },
  };
}

// ---------------------------------------------------------------------------------------------
// ADS-0003: privileged and escape-prone pods, exec into pods

function ads0003Positive(): Spec[] {
  const out: Spec[] = [];
  const T = 'T1611';
  // One escape setting per workload kind: the template is where a person writes it.
  const perKind: Array<[WorkloadKind, string, PodShape, string, string]> = [
    ['Deployment', 'privileged container in a Deployment template', one({ securityContext: { privileged: true } }), 'priv-deployment', R.privileged],
    [
      'DaemonSet',
      'privileged init container in a DaemonSet template',
      {
        spec: {
          initContainers: [{ name: 'setup', image: ALPINE, command: ['sh', '-c', 'true'], securityContext: { privileged: true } }],
          containers: [sleeper()],
        },
      },
      'priv-init-daemonset',
      R.privileged,
    ],
    ['StatefulSet', 'hostPID in a StatefulSet template', one({}, { hostPID: true }), 'hostpid-statefulset', R.hostAccess],
    ['Job', 'hostIPC in a Job template', one({}, { hostIPC: true }), 'hostipc-job', R.hostAccess],
    [
      'CronJob',
      'hostNetwork and the node root in a CronJob job template',
      {
        spec: {
          hostNetwork: true,
          containers: [sleeper({ volumeMounts: [{ name: 'r', mountPath: '/r' }] })],
          volumes: [{ name: 'r', hostPath: { path: '/' } }],
        },
      },
      'hostnet-root-cronjob',
      R.hostAccess,
    ],
    [
      'ReplicaSet',
      'cap_sys_admin (lower case, CAP_ prefix) in a ReplicaSet template',
      one({ securityContext: { capabilities: { add: ['cap_sys_admin'] } } }),
      'caps-replicaset',
      R.capabilities,
    ],
    [
      'ReplicationController',
      'capability ALL in a ReplicationController template',
      one({ securityContext: { capabilities: { add: ['ALL'] } } }),
      'caps-all-rc',
      R.capabilities,
    ],
    ['PodTemplate', 'privileged container in a PodTemplate', one({ securityContext: { privileged: true } }), 'priv-podtemplate', R.privileged],
    [
      'Pod',
      'SYS_PTRACE and BPF added to a bare pod',
      one({ securityContext: { capabilities: { add: ['SYS_PTRACE', 'BPF'] } } }),
      'caps-ptrace-bpf-pod',
      R.capabilities,
    ],
  ];
  for (const [kind, what, pod, id, rule] of perKind) {
    out.push({
      id,
      family: 'k8s-controller',
      technique: T,
      description: `A developer creates a ${what}.`,
      expect: [rule],
      requests: [createWorkload(DEV, kind, id, 'default', pod)],
    });
  }
  // Changes to existing workloads: JSON patch, strategic merge patch, full update.
  out.push({
    id: 'priv-json-patch-deployment',
    family: 'k8s-patch',
    technique: T,
    description: 'A JSON patch makes the first container of an existing Deployment privileged.',
    expect: [R.privileged],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'deployments',
        group: 'apps',
        namespace: 'default',
        name: 'web',
        body: [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext', value: { privileged: true } }],
      },
    ],
  });
  out.push({
    id: 'hostpid-merge-patch-daemonset',
    family: 'k8s-patch',
    technique: T,
    description: 'A strategic merge patch turns on hostPID in an existing DaemonSet.',
    expect: [R.hostAccess],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'daemonsets',
        group: 'apps',
        namespace: 'default',
        name: 'agent',
        body: { spec: { template: { spec: { hostPID: true } } } },
      },
    ],
  });
  out.push({
    id: 'priv-update-deployment',
    family: 'k8s-patch',
    technique: T,
    description: 'kubectl replace sends a whole Deployment whose container is now privileged.',
    expect: [R.privileged],
    requests: [{ ...createWorkload(DEV, 'Deployment', 'web', 'default', one({ securityContext: { privileged: true } })), verb: 'update' }],
  });
  // Ephemeral containers: kubectl debug by patch (current kubectl) or update (older clients).
  out.push({
    id: 'ephemeral-sysadmin-patch',
    family: 'k8s-ephemeral',
    technique: T,
    description: 'kubectl debug --profile=sysadmin adds a privileged ephemeral container to a running pod (patch of pods/ephemeralcontainers).',
    expect: [R.privileged, R.exec],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'pods',
        namespace: 'default',
        name: 'web-7d4b9',
        subresource: 'ephemeralcontainers',
        body: {
          spec: {
            ephemeralContainers: [
              {
                name: 'debugger-x2k4p',
                image: 'docker.io/library/busybox:1.36',
                stdin: true,
                tty: true,
                targetContainerName: 'web',
                securityContext: { privileged: true },
              },
            ],
          },
        },
      },
    ],
  });
  out.push({
    id: 'ephemeral-caps-update',
    family: 'k8s-ephemeral',
    technique: T,
    description: 'An older client replaces the ephemeral containers of a running pod with one adding SYS_PTRACE (update of pods/ephemeralcontainers).',
    expect: [R.capabilities],
    requests: [
      {
        actor: DEV,
        verb: 'update',
        resource: 'pods',
        namespace: 'default',
        name: 'web-7d4b9',
        subresource: 'ephemeralcontainers',
        body: {
          kind: 'Pod',
          apiVersion: 'v1',
          metadata: { name: 'web-7d4b9', namespace: 'default' },
          spec: {
            containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }],
            ephemeralContainers: [{ name: 'dbg', image: 'docker.io/library/busybox:1.36', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }],
          },
        },
      },
    ],
  });
  // Host paths: other spellings of the same sensitive places, and directories that contain them.
  const paths: Array<[string, string, string]> = [
    ['hostpath-run-parent', '/var/run', 'the parent directory of the runtime sockets, through the /var/run symlink'],
    [
      'hostpath-sock-dotdot',
      '/var/log/../run/docker.sock',
      'the Docker socket written with .. (the API server refuses backsteps with 422; the attempt still alerts)',
    ],
    ['hostpath-containerd-sock', '/var/run/containerd/containerd.sock', 'the containerd socket through /var/run'],
    ['hostpath-etc-slash', '/etc/', '/etc with a trailing slash'],
    ['hostpath-shadow-file', '/etc//shadow', 'the shadow file, written with //'],
    ['hostpath-home-ssh', '/home/ubuntu/.ssh', "a user's .ssh directory"],
    ['hostpath-root-ssh-keys', '/root/.ssh/authorized_keys', "root's authorized_keys file"],
    ['hostpath-proc-1-root', '/proc/1/root', "the host init's root through /proc"],
    ['hostpath-sys-cgroup', '/sys/fs/cgroup', 'the cgroup file system (release_agent escapes)'],
    ['hostpath-kubelet-pods', '/var/lib/kubelet/pods', 'every pod volume and secret on the node'],
    ['hostpath-var', '/var', '/var, which contains the runtime state and sockets'],
    ['hostpath-cni-bin', '/opt/cni/bin/', 'the CNI plugin binaries the kubelet runs as root'],
    ['hostpath-cron', '/var/spool/cron/crontabs', 'the host cron spool'],
  ];
  for (const [id, path, what] of paths) {
    // hostPath validation refuses '..' (Invalid, 422): the request is recorded all the same
    const code = path.split('/').includes('..') ? { code: 422 } : {};
    out.push({
      id,
      family: 'k8s-host-path',
      technique: T,
      description: `A pod mounts ${what} (hostPath ${path}).`,
      expect: [R.hostAccess],
      requests: [{ ...createWorkload(DEV, 'Pod', id, 'default', hostPathPod(path)), ...code }],
    });
  }
  out.push({
    id: 'debug-node',
    family: 'k8s-host-path',
    technique: T,
    description: 'kubectl debug node/worker-1 creates a pod with the host namespaces and the node root at /host.',
    expect: [R.hostAccess],
    requests: [
      createWorkload(DEV, 'Pod', 'node-debugger-worker-1-abcde', 'default', {
        spec: {
          nodeName: 'worker-1',
          hostPID: true,
          hostIPC: true,
          hostNetwork: true,
          containers: [
            { name: 'debugger', image: 'docker.io/library/busybox:1.36', stdin: true, tty: true, volumeMounts: [{ name: 'host-root', mountPath: '/host' }] },
          ],
          volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
        },
      }),
    ],
  });
  out.push({
    id: 'hostpath-persistentvolume',
    family: 'k8s-host-path',
    technique: T,
    description: "A PersistentVolume of the node's / (hostPath) and a claim bound to it; the pod then names only the claim.",
    expect: [R.hostAccess],
    requests: [
      {
        actor: DEV,
        verb: 'create',
        resource: 'persistentvolumes',
        name: 'scratch',
        body: {
          kind: 'PersistentVolume',
          apiVersion: 'v1',
          metadata: { name: 'scratch' },
          spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/' }, storageClassName: 'manual' },
        },
      },
      {
        actor: DEV,
        verb: 'create',
        resource: 'persistentvolumeclaims',
        namespace: 'default',
        name: 'scratch',
        body: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          metadata: { name: 'scratch', namespace: 'default' },
          spec: { volumeName: 'scratch', storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      },
      createWorkload(
        DEV,
        'Pod',
        'uses-scratch',
        'default',
        one({ volumeMounts: [{ name: 's', mountPath: '/host' }] }, { volumes: [{ name: 's', persistentVolumeClaim: { claimName: 'scratch' } }] }),
      ),
    ],
  });
  out.push({
    id: 'hostpath-local-pv-etc',
    family: 'k8s-host-path',
    technique: T,
    description: 'A local PersistentVolume of /etc/kubernetes on one node.',
    expect: [R.hostAccess],
    requests: [
      {
        actor: DEV,
        verb: 'create',
        resource: 'persistentvolumes',
        name: 'kcfg',
        body: {
          kind: 'PersistentVolume',
          apiVersion: 'v1',
          metadata: { name: 'kcfg' },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            local: { path: '/etc/kubernetes/' },
            nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['cp-1'] }] }] } },
          },
        },
      },
    ],
  });
  out.push({
    id: 'seccomp-annotation-json-patch',
    family: 'k8s-patch',
    technique: T,
    description: "A JSON patch adds only the legacy seccomp annotation (unconfined) to a Deployment's pod template.",
    expect: [R.isolation],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'deployments',
        group: 'apps',
        namespace: 'default',
        name: 'web',
        body: [{ op: 'add', path: '/spec/template/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod', value: 'unconfined' }],
      },
    ],
  });
  out.push({
    id: 'ephemeral-priv-in-agent-pod',
    family: 'k8s-ephemeral',
    technique: T,
    description: 'A privileged ephemeral container added to a node-exporter pod: the agent allowlist does not cover what is added to it.',
    expect: [R.privileged],
    requests: [
      {
        actor: DEV,
        verb: 'update',
        resource: 'pods',
        namespace: 'monitoring',
        name: 'node-exporter-4kq9z',
        subresource: 'ephemeralcontainers',
        body: {
          kind: 'Pod',
          apiVersion: 'v1',
          metadata: { name: 'node-exporter-4kq9z', namespace: 'monitoring' },
          spec: {
            hostPID: true,
            containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2' }],
            ephemeralContainers: [{ name: 'dbg', image: 'quay.io/prometheus/node-exporter:v1.8.2', command: ['sh'], securityContext: { privileged: true } }],
          },
        },
      },
    ],
  });
  out.push({
    id: 'agent-image-sidecar-priv',
    family: 'k8s-allowlist-abuse',
    technique: T,
    description: "A privileged pod that carries a node-exporter sidecar to borrow the agent allowlist's pass; its own container comes from another publisher.",
    expect: [R.privileged],
    requests: [
      createWorkload(DEV, 'DaemonSet', 'node-exporter-extra', 'monitoring', {
        spec: {
          hostPID: true,
          containers: [
            { name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2' },
            { name: 'helper', image: 'ghcr.io/attacker/tools:1', command: ['sh', '-c', 'nsenter -t 1 -m -u -i -n sh'], securityContext: { privileged: true } },
          ],
        },
      }),
    ],
  });
  // Isolation profiles given up.
  const iso: Array<[string, string, PodShape]> = [
    ['seccomp-unconfined-pod', 'seccompProfile Unconfined at pod level', one({}, { securityContext: { seccompProfile: { type: 'Unconfined' } } })],
    [
      'seccomp-unconfined-annotation',
      'the legacy seccomp pod annotation set to unconfined',
      { spec: { containers: [sleeper()] }, annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } },
    ],
    [
      'apparmor-unconfined-annotation',
      'the AppArmor container annotation set to unconfined',
      { spec: { containers: [sleeper()] }, annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } },
    ],
    ['apparmor-unconfined-field', 'appArmorProfile Unconfined on the container', one({ securityContext: { appArmorProfile: { type: 'Unconfined' } } })],
    ['procmount-unmasked', 'procMount Unmasked (the host /proc paths unmasked)', one({ securityContext: { procMount: 'Unmasked' } }, { hostUsers: false })],
    [
      'allow-priv-escalation',
      'allowPrivilegeEscalation true on an init container',
      {
        spec: {
          initContainers: [{ name: 'init', image: ALPINE, command: ['true'], securityContext: { allowPrivilegeEscalation: true } }],
          containers: [sleeper()],
        },
      },
    ],
    ['selinux-spc', 'the SELinux type spc_t (super-privileged container)', one({ securityContext: { seLinuxOptions: { type: 'spc_t' } } })],
  ];
  for (const [id, what, pod] of iso) {
    out.push({
      id,
      family: 'k8s-isolation',
      technique: T,
      description: `A Deployment sets ${what}.`,
      expect: [R.isolation],
      requests: [createWorkload(DEV, 'Deployment', id, 'default', pod)],
    });
  }
  out.push({
    id: 'windows-hostprocess',
    family: 'k8s-isolation',
    technique: T,
    description: 'A Windows HostProcess pod (runs on the node, the Windows spelling of privileged).',
    expect: [R.privileged],
    requests: [
      createWorkload(DEV, 'Pod', 'win-hostproc', 'default', {
        spec: {
          hostNetwork: true,
          securityContext: { windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' } },
          nodeSelector: { 'kubernetes.io/os': 'windows' },
          containers: [{ name: 'w', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022', command: ['cmd', '/c', 'ping -t localhost'] }],
        },
      }),
    ],
  });
  // Commands in running pods, by every verb and door the API server records.
  const exec = (id: string, description: string, req: Omit<Request, 'actor'>): Spec => ({
    id,
    family: 'k8s-exec',
    technique: 'T1609',
    description,
    expect: [R.exec],
    requests: [{ actor: DEV, ...req }],
  });
  out.push(
    exec('exec-spdy-create', 'kubectl exec over SPDY: create on pods/exec.', {
      verb: 'create',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'exec',
      query: 'command=sh&command=-c&command=id&container=web&stdin=true&stdout=true&tty=true',
    }),
  );
  out.push(
    exec('exec-websocket-get', 'A WebSocket client (kubectl 1.30+, client libraries): get on pods/exec.', {
      verb: 'get',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'exec',
      query: 'command=%2Fbin%2Fsh&container=web&stdin=true&stdout=true&tty=true',
    }),
  );
  out.push(
    exec('attach-create', 'kubectl attach to the main process of a pod: create on pods/attach.', {
      verb: 'create',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'attach',
      query: 'container=web&stdin=true&stdout=true&tty=true',
    }),
  );
  out.push(
    exec('kubelet-proxy-run', "The kubelet's /run endpoint reached through nodes/proxy.", {
      verb: 'create',
      resource: 'nodes',
      name: 'worker-1',
      subresource: 'proxy',
      path: '/run/default/web-7d4b9/web',
      query: 'cmd=id',
    }),
  );
  out.push(
    exec('kubelet-proxy-exec', "The kubelet's /exec endpoint reached through nodes/proxy.", {
      verb: 'get',
      resource: 'nodes',
      name: 'worker-1',
      subresource: 'proxy',
      path: '/exec/default/web-7d4b9/web',
      query: 'command=id&output=1',
    }),
  );
  out.push(
    exec('ephemeral-debug-plain', 'kubectl debug adds an ordinary ephemeral busybox to a running pod.', {
      verb: 'patch',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'ephemeralcontainers',
      body: {
        spec: {
          ephemeralContainers: [{ name: 'debugger-q8z7m', image: 'docker.io/library/busybox:1.36', stdin: true, tty: true, targetContainerName: 'web' }],
        },
      },
    }),
  );
  return out;
}

// Documented node agents and ordinary workloads; each must raise nothing.
function ads0003Benign(): Spec[] {
  const ro = (name: string, mountPath: string): Obj => ({ name, mountPath, readOnly: true });
  return [
    {
      id: 'nginx-hardened-deployment',
      family: 'k8s-ordinary',
      description:
        'A CI service account installs an nginx Deployment with the restricted Pod Security settings (non-root, RuntimeDefault seccomp, no privilege escalation, all capabilities dropped).',
      requests: [
        createWorkload(CI, 'Deployment', 'web', 'shop', {
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'nginx',
                image: 'docker.io/nginxinc/nginx-unprivileged:1.27',
                ports: [{ containerPort: 8080 }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'conf', mountPath: '/etc/nginx/conf.d' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'conf', configMap: { name: 'web-conf' } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        }),
      ],
    },
    {
      id: 'fluent-bit-varlog',
      family: 'k8s-log-shipper',
      description: "Fluent Bit's DaemonSet reads container logs from the node's /var/log (read-only) and keeps its tail database in its own host directory.",
      requests: [
        createWorkload(HELM, 'DaemonSet', 'fluent-bit', 'logging', {
          spec: {
            serviceAccountName: 'fluent-bit',
            containers: [
              {
                name: 'fluent-bit',
                image: 'cr.fluentbit.io/fluent/fluent-bit:3.1.4',
                volumeMounts: [
                  ro('varlog', '/var/log'),
                  { name: 'state', mountPath: '/var/fluent-bit/state' },
                  { name: 'config', mountPath: '/fluent-bit/etc/' },
                ],
              },
            ],
            volumes: [
              { name: 'varlog', hostPath: { path: '/var/log' } },
              { name: 'state', hostPath: { path: '/var/fluent-bit/state', type: 'DirectoryOrCreate' } },
              { name: 'config', configMap: { name: 'fluent-bit' } },
            ],
          },
        }),
      ],
    },
    {
      id: 'node-exporter-daemonset',
      family: 'k8s-node-agent',
      description: "Prometheus node-exporter's DaemonSet: hostPID, hostNetwork and the node's /, /proc and /sys read-only (an allowlisted node agent image).",
      requests: [
        createWorkload(HELM, 'DaemonSet', 'node-exporter', 'monitoring', {
          spec: {
            hostPID: true,
            hostNetwork: true,
            securityContext: { runAsNonRoot: true, runAsUser: 65534 },
            containers: [
              {
                name: 'node-exporter',
                image: 'quay.io/prometheus/node-exporter:v1.8.2',
                args: ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root'],
                volumeMounts: [
                  ro('proc', '/host/proc'),
                  ro('sys', '/host/sys'),
                  { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
                ],
              },
            ],
            volumes: [
              { name: 'proc', hostPath: { path: '/proc' } },
              { name: 'sys', hostPath: { path: '/sys' } },
              { name: 'root', hostPath: { path: '/' } },
            ],
          },
        }),
      ],
    },
    {
      id: 'kube-proxy-controller-pod',
      family: 'k8s-controller-pod',
      description: 'The DaemonSet controller creates a kube-proxy pod in kube-system (privileged, hostNetwork, /run/xtables.lock, /lib/modules).',
      requests: [
        {
          actor: controller('daemon-set-controller'),
          verb: 'create',
          resource: 'pods',
          namespace: 'kube-system',
          name: 'kube-proxy-7xk2p',
          body: workload('Pod', 'kube-proxy-7xk2p', 'kube-system', {
            spec: {
              hostNetwork: true,
              priorityClassName: 'system-node-critical',
              containers: [
                {
                  name: 'kube-proxy',
                  image: 'registry.k8s.io/kube-proxy:v1.30.2',
                  command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'],
                  securityContext: { privileged: true },
                  volumeMounts: [{ name: 'xtables-lock', mountPath: '/run/xtables.lock' }, ro('lib-modules', '/lib/modules')],
                },
              ],
              volumes: [
                { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
                { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
              ],
            },
          }),
        },
      ],
    },
    {
      id: 'etcd-mirror-pod',
      family: 'k8s-controller-pod',
      description: 'The kubelet of a control-plane node creates the mirror pod of its static etcd pod (hostNetwork, /etc/kubernetes/pki/etcd, /var/lib/etcd).',
      requests: [
        {
          actor: NODE,
          verb: 'create',
          resource: 'pods',
          namespace: 'kube-system',
          name: 'etcd-cp-1',
          body: {
            kind: 'Pod',
            apiVersion: 'v1',
            metadata: {
              name: 'etcd-cp-1',
              namespace: 'kube-system',
              annotations: { 'kubernetes.io/config.mirror': '5f0e3c1a', 'kubernetes.io/config.source': 'file' },
            },
            spec: {
              hostNetwork: true,
              priorityClassName: 'system-node-critical',
              securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: 'etcd',
                  image: 'registry.k8s.io/etcd:3.5.12-0',
                  command: ['etcd', '--data-dir=/var/lib/etcd'],
                  volumeMounts: [
                    { name: 'etcd-certs', mountPath: '/etc/kubernetes/pki/etcd' },
                    { name: 'etcd-data', mountPath: '/var/lib/etcd' },
                  ],
                },
              ],
              volumes: [
                { name: 'etcd-certs', hostPath: { path: '/etc/kubernetes/pki/etcd', type: 'DirectoryOrCreate' } },
                { name: 'etcd-data', hostPath: { path: '/var/lib/etcd', type: 'DirectoryOrCreate' } },
              ],
            },
          },
        },
      ],
    },
    {
      id: 'csi-nfs-node-plugin',
      family: 'k8s-node-agent',
      description: "The NFS CSI driver's node DaemonSet: privileged, hostNetwork, the kubelet's plugin and pod directories (allowlisted sig-storage images).",
      requests: [
        createWorkload(HELM, 'DaemonSet', 'csi-nfs-node', 'kube-system', {
          spec: {
            hostNetwork: true,
            serviceAccountName: 'csi-nfs-node-sa',
            containers: [
              { name: 'liveness-probe', image: 'registry.k8s.io/sig-storage/livenessprobe:v2.13.1', volumeMounts: [{ name: 'socket-dir', mountPath: '/csi' }] },
              {
                name: 'node-driver-registrar',
                image: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.11.1',
                volumeMounts: [
                  { name: 'socket-dir', mountPath: '/csi' },
                  { name: 'registration-dir', mountPath: '/registration' },
                ],
              },
              {
                name: 'nfs',
                image: 'registry.k8s.io/sig-storage/nfsplugin:v4.8.0',
                securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] }, allowPrivilegeEscalation: true },
                volumeMounts: [
                  { name: 'socket-dir', mountPath: '/csi' },
                  { name: 'pods-mount-dir', mountPath: '/var/lib/kubelet/pods', mountPropagation: 'Bidirectional' },
                ],
              },
            ],
            volumes: [
              { name: 'socket-dir', hostPath: { path: '/var/lib/kubelet/plugins/csi-nfsplugin', type: 'DirectoryOrCreate' } },
              { name: 'pods-mount-dir', hostPath: { path: '/var/lib/kubelet/pods', type: 'Directory' } },
              { name: 'registration-dir', hostPath: { path: '/var/lib/kubelet/plugins_registry', type: 'Directory' } },
            ],
          },
        }),
      ],
    },
    {
      id: 'falco-daemonset',
      family: 'k8s-node-agent',
      description:
        "Falco's DaemonSet with the falcoctl init container: privileged, /dev, /proc, /boot, /lib/modules, /usr and /etc read-only (allowlisted images).",
      requests: [
        createWorkload(HELM, 'DaemonSet', 'falco', 'falco', {
          spec: {
            initContainers: [{ name: 'falcoctl-artifact-install', image: 'docker.io/falcosecurity/falcoctl:0.9.0', args: ['artifact', 'install'] }],
            containers: [
              {
                name: 'falco',
                image: 'docker.io/falcosecurity/falco:0.38.2',
                securityContext: { privileged: true },
                volumeMounts: [
                  ro('dev-fs', '/host/dev'),
                  ro('proc-fs', '/host/proc'),
                  ro('boot-fs', '/host/boot'),
                  ro('lib-modules', '/host/lib/modules'),
                  ro('usr-fs', '/host/usr'),
                  ro('etc-fs', '/host/etc'),
                  { name: 'containerd-socket', mountPath: '/host/run/containerd/' },
                ],
              },
            ],
            volumes: [
              { name: 'dev-fs', hostPath: { path: '/dev' } },
              { name: 'proc-fs', hostPath: { path: '/proc' } },
              { name: 'boot-fs', hostPath: { path: '/boot' } },
              { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
              { name: 'usr-fs', hostPath: { path: '/usr' } },
              { name: 'etc-fs', hostPath: { path: '/etc' } },
              { name: 'containerd-socket', hostPath: { path: '/run/containerd' } },
            ],
          },
        }),
      ],
    },
    {
      id: 'datadog-agent-daemonset',
      family: 'k8s-node-agent',
      description:
        "Datadog's agent DaemonSet with system-probe: seccomp and AppArmor unconfined, SYS_ADMIN, the containerd socket, /proc and cgroups (allowlisted image).",
      requests: [
        createWorkload(HELM, 'DaemonSet', 'datadog', 'datadog', {
          annotations: { 'container.apparmor.security.beta.kubernetes.io/system-probe': 'unconfined' },
          spec: {
            containers: [
              {
                name: 'agent',
                image: 'gcr.io/datadoghq/agent:7.55.2',
                volumeMounts: [ro('runtimesocketdir', '/host/var/run/containerd'), ro('procdir', '/host/proc'), ro('cgroups', '/host/sys/fs/cgroup')],
              },
              {
                name: 'system-probe',
                image: 'gcr.io/datadoghq/agent:7.55.2',
                securityContext: {
                  seccompProfile: { type: 'Unconfined' },
                  capabilities: {
                    add: ['SYS_ADMIN', 'SYS_RESOURCE', 'SYS_PTRACE', 'NET_ADMIN', 'NET_BROADCAST', 'NET_RAW', 'IPC_LOCK', 'CHOWN', 'DAC_READ_SEARCH'],
                  },
                },
                volumeMounts: [ro('procdir', '/host/proc'), { name: 'debugfs', mountPath: '/sys/kernel/debug' }],
              },
            ],
            volumes: [
              { name: 'runtimesocketdir', hostPath: { path: '/var/run/containerd' } },
              { name: 'procdir', hostPath: { path: '/proc' } },
              { name: 'cgroups', hostPath: { path: '/sys/fs/cgroup' } },
              { name: 'debugfs', hostPath: { path: '/sys/kernel/debug' } },
            ],
          },
        }),
      ],
    },
    {
      id: 'rollout-restart-patch',
      family: 'k8s-patch',
      description: 'kubectl rollout restart patches the restartedAt annotation of a Deployment template.',
      requests: [
        {
          actor: DEV,
          verb: 'patch',
          resource: 'deployments',
          group: 'apps',
          namespace: 'shop',
          name: 'web',
          body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-01T09:00:00Z' } } } } },
        },
      ],
    },
    {
      id: 'local-path-provisioner-pv',
      family: 'k8s-host-path',
      description: "Rancher's local-path provisioner creates a hostPath PersistentVolume under its own directory for a claim.",
      requests: [
        {
          actor: serviceAccount('local-path-storage', 'local-path-provisioner-service-account', 'local-path-provisioner/v0.0.28'),
          verb: 'create',
          resource: 'persistentvolumes',
          name: 'pvc-4f1c',
          body: {
            kind: 'PersistentVolume',
            apiVersion: 'v1',
            metadata: { name: 'pvc-4f1c' },
            spec: {
              capacity: { storage: '2Gi' },
              accessModes: ['ReadWriteOnce'],
              hostPath: { path: '/opt/local-path-provisioner/pvc-4f1c_db_data', type: 'DirectoryOrCreate' },
              storageClassName: 'local-path',
            },
          },
        },
      ],
    },
    {
      id: 'kubectl-logs-portforward',
      family: 'k8s-ordinary',
      description: 'A developer lists pods, reads a pod log and port-forwards to it.',
      requests: [
        { actor: DEV, verb: 'list', resource: 'pods', namespace: 'shop' },
        { actor: DEV, verb: 'get', resource: 'pods', namespace: 'shop', name: 'web-7d4b9', subresource: 'log', query: 'container=nginx&follow=true' },
        { actor: DEV, verb: 'create', resource: 'pods', namespace: 'shop', name: 'web-7d4b9', subresource: 'portforward' },
      ],
    },
    {
      id: 'gitlab-runner-build-pod-exec',
      family: 'k8s-exec',
      description: "GitLab Runner's Kubernetes executor creates a build pod with its helper container and runs the job script in it by exec and attach.",
      requests: (() => {
        const runner = serviceAccount('gitlab-runner', 'gitlab-runner', 'gitlab-runner 17.1.0 (17-1-stable; go1.22.4; linux/amd64)');
        const pod = 'runner-xq1zbyv-project-42-concurrent-0-7h3k2';
        return [
          {
            ...createWorkload(runner, 'Pod', pod, 'gitlab-runner', {
              spec: {
                containers: [
                  { name: 'build', image: 'docker.io/library/node:20', command: ['sh', '-c', 'sleep infinity'] },
                  {
                    name: 'helper',
                    image: 'registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.1.0',
                    command: ['sh', '-c', 'sleep infinity'],
                  },
                ],
                restartPolicy: 'Never',
              },
            }),
          },
          {
            actor: runner,
            verb: 'create',
            resource: 'pods',
            namespace: 'gitlab-runner',
            name: pod,
            subresource: 'exec',
            query:
              'command=sh&command=-c&command=if+%5B+-x+%2Fusr%2Flocal%2Fbin%2Fbash+%5D%3B+then%0A%09exec+%2Fusr%2Flocal%2Fbin%2Fbash+&container=build&stdin=true&stdout=true&stderr=true',
          },
          {
            actor: runner,
            verb: 'create',
            resource: 'pods',
            namespace: 'gitlab-runner',
            name: pod,
            subresource: 'attach',
            query: 'container=helper&stdin=true&stdout=true&stderr=true',
          },
        ];
      })(),
    },
    {
      id: 'scheduler-binding-and-status',
      family: 'k8s-ordinary',
      description: 'The scheduler binds a pod to a node and the kubelet patches its status.',
      requests: [
        {
          actor: {
            username: 'system:kube-scheduler',
            groups: ['system:authenticated'],
            userAgent: 'kube-scheduler/v1.30.2 (linux/amd64) kubernetes/39683505/scheduler',
            ip: '10.20.0.5',
          },
          verb: 'create',
          resource: 'pods',
          namespace: 'shop',
          name: 'web-7d4b9',
          subresource: 'binding',
          body: { kind: 'Binding', apiVersion: 'v1', metadata: { name: 'web-7d4b9', namespace: 'shop' }, target: { kind: 'Node', name: 'worker-1' } },
        },
        {
          actor: { ...NODE, username: 'system:node:worker-1' },
          verb: 'patch',
          resource: 'pods',
          namespace: 'shop',
          name: 'web-7d4b9',
          subresource: 'status',
          body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// ADS-0001: inline network share volumes

function ads0001Positive(): Spec[] {
  const share = (volume: Obj): PodShape => ({
    spec: {
      containers: [{ name: 'copy', image: ALPINE, command: ['sh', '-c', 'cp -r /data /share/'], volumeMounts: [{ name: 'share', mountPath: '/share' }] }],
      volumes: [{ name: 'share', ...volume }],
    },
  });
  const T = 'T1039';
  const list: Array<[WorkloadKind, string, Obj, string]> = [
    ['Pod', 'share-nfs-pod', { nfs: { server: '10.0.8.20', path: '/exports/finance' } }, 'an inline NFS volume'],
    [
      'Deployment',
      'share-nfs-deployment',
      { nfs: { server: 'files.corp.example', path: '/exports/hr', readOnly: true } },
      'an inline NFS volume in its template',
    ],
    ['CronJob', 'share-nfs-cronjob', { nfs: { server: '10.0.8.20', path: '/exports/admin' } }, 'an inline NFS volume in its job template'],
    [
      'StatefulSet',
      'share-smb-csi-statefulset',
      { csi: { driver: 'smb.csi.k8s.io', volumeAttributes: { source: '//fileserver/finance' }, nodePublishSecretRef: { name: 'smbcreds' } } },
      'an inline SMB CSI volume',
    ],
    [
      'DaemonSet',
      'share-flex-cifs-daemonset',
      {
        flexVolume: {
          driver: 'fstab/cifs',
          fsType: 'cifs',
          secretRef: { name: 'cifs-secret' },
          options: { networkPath: '//fileserver/share', mountOptions: 'dir_mode=0755' },
        },
      },
      'a CIFS flexVolume',
    ],
    [
      'Job',
      'share-cephfs-job',
      { cephfs: { monitors: ['10.0.9.1:6789'], path: '/finance', user: 'admin', secretRef: { name: 'ceph-secret' } } },
      'an inline CephFS volume',
    ],
    [
      'ReplicaSet',
      'share-azurefile-replicaset',
      { azureFile: { secretName: 'azure-secret', shareName: 'finance', readOnly: false } },
      'an in-tree Azure Files (SMB) volume',
    ],
    [
      'Pod',
      'share-nfs-csi-pod',
      { csi: { driver: 'nfs.csi.k8s.io', volumeAttributes: { server: '10.0.8.20', share: '/exports/finance' } } },
      'an inline NFS CSI volume',
    ],
  ];
  const out: Spec[] = list.map(([kind, id, volume, what]) => ({
    id,
    family: kind === 'Pod' ? 'k8s-share-volume' : 'k8s-controller',
    technique: T,
    description: `A developer creates a ${kind} with ${what}.`,
    expect: [R.share],
    requests: [createWorkload(DEV, kind, id, 'default', share(volume))],
  }));
  out.push({
    id: 'share-nfs-json-patch',
    family: 'k8s-patch',
    technique: T,
    description: 'A JSON patch adds an NFS volume to an existing Deployment.',
    expect: [R.share],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'deployments',
        group: 'apps',
        namespace: 'default',
        name: 'reports',
        body: [{ op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'loot', nfs: { server: '10.0.8.20', path: '/exports/finance' } } }],
      },
    ],
  });
  return out;
}

function ads0001Benign(): Spec[] {
  return [
    {
      id: 'postgres-statefulset-pvc',
      family: 'k8s-ordinary',
      description: 'PostgreSQL as a StatefulSet whose data lives on a volumeClaimTemplate (a reviewed PersistentVolumeClaim).',
      requests: (() => {
        const pg = {
          spec: {
            securityContext: { fsGroup: 999 },
            containers: [
              {
                name: 'postgres',
                image: 'docker.io/library/postgres:16.3',
                env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
              },
            ],
          },
        };
        const req = createWorkload(HELM, 'StatefulSet', 'postgres', 'db', pg);
        ((req.body as Obj).spec as Obj).volumeClaimTemplates = [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } },
        ];
        return [req];
      })(),
    },
    {
      id: 'cms-media-pvc',
      family: 'k8s-ordinary',
      description: 'A WordPress Deployment whose media directory is an NFS-backed PersistentVolumeClaim an administrator provisioned.',
      requests: [
        createWorkload(CI, 'Deployment', 'wordpress', 'cms', {
          spec: {
            containers: [
              {
                name: 'wordpress',
                image: 'docker.io/library/wordpress:6.5-apache',
                volumeMounts: [{ name: 'media', mountPath: '/var/www/html/wp-content/uploads' }],
              },
            ],
            volumes: [{ name: 'media', persistentVolumeClaim: { claimName: 'wp-media' } }],
          },
        }),
      ],
    },
    {
      id: 'nfs-persistentvolume-by-admin',
      family: 'k8s-ordinary',
      description: 'A storage administrator creates an NFS PersistentVolume and a claim bound to it (the reviewed path).',
      requests: [
        {
          actor: ADMIN,
          verb: 'create',
          resource: 'persistentvolumes',
          name: 'wp-media',
          body: {
            kind: 'PersistentVolume',
            apiVersion: 'v1',
            metadata: { name: 'wp-media' },
            spec: {
              capacity: { storage: '100Gi' },
              accessModes: ['ReadWriteMany'],
              nfs: { server: 'files.corp.example', path: '/exports/wp-media' },
              persistentVolumeReclaimPolicy: 'Retain',
            },
          },
        },
        {
          actor: ADMIN,
          verb: 'create',
          resource: 'persistentvolumeclaims',
          namespace: 'cms',
          name: 'wp-media',
          body: {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            metadata: { name: 'wp-media', namespace: 'cms' },
            spec: { accessModes: ['ReadWriteMany'], volumeName: 'wp-media', resources: { requests: { storage: '100Gi' } } },
          },
        },
      ],
    },
    {
      id: 'backup-cronjob-pvc',
      family: 'k8s-ordinary',
      description: 'A nightly pg_dump CronJob writing to its own PersistentVolumeClaim, with projected service account token and secret volumes.',
      requests: [
        createWorkload(CI, 'CronJob', 'pg-backup', 'db', {
          spec: {
            containers: [
              {
                name: 'dump',
                image: 'docker.io/library/postgres:16.3',
                command: ['sh', '-c', 'pg_dump -h postgres -U app app | gzip > /backup/app-$(date +%F).sql.gz'],
                volumeMounts: [
                  { name: 'backup', mountPath: '/backup' },
                  { name: 'creds', mountPath: '/creds', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'backup', persistentVolumeClaim: { claimName: 'pg-backup' } },
              {
                name: 'creds',
                projected: { sources: [{ secret: { name: 'pg-creds' } }, { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] },
              },
            ],
          },
        }),
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// ADS-0002: admission, Pod Security, log collection and security agents

function ads0002Positive(): Spec[] {
  const T = 'T1562.001';
  const adm = (actor: Actor, verb: Verb, resource: string, name: string | undefined, body?: unknown): Request => ({
    actor,
    verb,
    resource,
    group: 'admissionregistration.k8s.io',
    ...(name !== undefined ? { name } : {}),
    ...(body !== undefined ? { body } : {}),
  });
  const out: Spec[] = [
    {
      id: 'webhook-delete-validating',
      family: 'k8s-admission',
      technique: T,
      description: 'A developer deletes the validating webhook configuration of the policy engine.',
      expect: [R.webhook],
      requests: [adm(DEV, 'delete', 'validatingwebhookconfigurations', 'gatekeeper-validating-webhook-configuration')],
    },
    {
      id: 'webhook-deletecollection-mutating',
      family: 'k8s-admission',
      technique: T,
      description: 'Every mutating webhook configuration deleted at once (deletecollection).',
      expect: [R.webhook],
      requests: [adm(ADMIN, 'deletecollection', 'mutatingwebhookconfigurations', undefined)],
    },
    {
      id: 'webhook-patch-failure-ignore',
      family: 'k8s-admission',
      technique: T,
      description: 'A JSON patch sets failurePolicy Ignore, so the webhook no longer blocks when it is unreachable.',
      expect: [R.webhook],
      requests: [
        adm(DEV, 'patch', 'validatingwebhookconfigurations', 'kyverno-resource-validating-webhook-cfg', [
          { op: 'replace', path: '/webhooks/0/failurePolicy', value: 'Ignore' },
        ]),
      ],
    },
    {
      id: 'webhook-update-namespace-skip',
      family: 'k8s-admission',
      technique: T,
      description: "An update adds a namespaceSelector that skips the attacker's namespace.",
      expect: [R.webhook],
      requests: [
        adm(DEV, 'update', 'validatingwebhookconfigurations', 'image-policy', {
          kind: 'ValidatingWebhookConfiguration',
          apiVersion: 'admissionregistration.k8s.io/v1',
          metadata: { name: 'image-policy' },
          webhooks: [
            {
              name: 'image-policy.example.com',
              failurePolicy: 'Fail',
              namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['tools'] }] },
              clientConfig: { service: { namespace: 'policy', name: 'image-policy' } },
              sideEffects: 'None',
              admissionReviewVersions: ['v1'],
            },
          ],
        }),
      ],
    },
    {
      id: 'vap-binding-delete',
      family: 'k8s-admission',
      technique: T,
      description: 'The binding of an in-tree ValidatingAdmissionPolicy is deleted.',
      expect: [R.webhook],
      requests: [adm(DEV, 'delete', 'validatingadmissionpolicybindings', 'deny-privileged-binding')],
    },
    {
      id: 'psa-label-privileged',
      family: 'k8s-pod-security',
      technique: T,
      description: 'kubectl label --overwrite sets pod-security.kubernetes.io/enforce=privileged on a namespace (merge patch).',
      expect: [R.podSecurity],
      requests: [
        {
          actor: DEV,
          verb: 'patch',
          resource: 'namespaces',
          name: 'tools',
          namespace: 'tools',
          body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
        },
      ],
    },
    {
      id: 'psa-label-removed',
      family: 'k8s-pod-security',
      technique: T,
      description: 'A JSON patch removes the enforce label of a namespace.',
      expect: [R.podSecurity],
      requests: [
        {
          actor: DEV,
          verb: 'patch',
          resource: 'namespaces',
          name: 'shop',
          namespace: 'shop',
          body: [{ op: 'remove', path: '/metadata/labels/pod-security.kubernetes.io~1enforce' }],
        },
      ],
    },
    {
      id: 'psa-label-null-merge',
      family: 'k8s-pod-security',
      technique: T,
      description: 'kubectl label ns shop pod-security.kubernetes.io/enforce- (a merge patch setting it to null).',
      expect: [R.podSecurity],
      requests: [
        {
          actor: DEV,
          verb: 'patch',
          resource: 'namespaces',
          name: 'shop',
          namespace: 'shop',
          body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } } },
        },
      ],
    },
    {
      id: 'agent-daemonset-deleted',
      family: 'k8s-agent-removal',
      technique: T,
      description: 'The Falco DaemonSet is deleted.',
      expect: [R.agentRemoved],
      requests: [{ actor: DEV, verb: 'delete', resource: 'daemonsets', group: 'apps', namespace: 'falco', name: 'falco' }],
    },
    {
      id: 'agent-namespace-deleted',
      family: 'k8s-agent-removal',
      technique: T,
      description: "The Datadog agent's whole namespace is deleted.",
      expect: [R.agentRemoved],
      requests: [{ actor: ADMIN, verb: 'delete', resource: 'namespaces', name: 'datadog', namespace: 'datadog' }],
    },
  ];
  const optOut: Array<[string, WorkloadKind, Record<string, string>, string]> = [
    ['log-exclude-fluentbit', 'Deployment', { 'fluentbit.io/exclude': 'true' }, 'Fluent Bit'],
    ['log-exclude-elastic', 'Pod', { 'co.elastic.logs/enabled': 'false' }, 'Filebeat hints'],
    ['log-exclude-datadog', 'CronJob', { 'ad.datadoghq.com/logs_exclude': 'true' }, 'Datadog'],
  ];
  for (const [id, kind, annotations, who] of optOut) {
    out.push({
      id,
      family: 'k8s-log-opt-out',
      technique: 'T1562.006',
      description: `A ${kind} whose pods tell ${who} to drop their logs.`,
      expect: [R.logOptOut],
      requests: [createWorkload(DEV, kind, id, 'default', { spec: { containers: [sleeper()] }, annotations })],
    });
  }
  out.push({
    id: 'log-exclude-annotate-pod',
    family: 'k8s-log-opt-out',
    technique: 'T1562.006',
    description: 'kubectl annotate on a running pod: fluentbit.io/exclude=true (a merge patch of its annotations alone).',
    expect: [R.logOptOut],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'pods',
        namespace: 'default',
        name: 'miner-5c7d9',
        body: { metadata: { annotations: { 'fluentbit.io/exclude': 'true' } } },
      },
    ],
  });
  out.push({
    id: 'pod-in-kube-system-by-user',
    family: 'k8s-system-namespace',
    technique: 'T1610',
    description: 'A developer runs a bare pod in kube-system, named like a system component.',
    expect: [R.systemNamespace],
    requests: [createWorkload(DEV, 'Pod', 'coredns-metrics-6f7c9', 'kube-system', one())],
  });
  out.push({
    id: 'pod-in-kube-system-stolen-sa',
    family: 'k8s-system-namespace',
    technique: 'T1610',
    description: "A workload's stolen service account token creates a pod in kube-system.",
    expect: [R.systemNamespace],
    requests: [createWorkload(STOLEN_SA, 'Pod', 'kube-proxy-helper', 'kube-system', one())],
  });
  out.push({
    id: 'deployment-in-kube-public',
    family: 'k8s-system-namespace',
    technique: 'T1610',
    description: 'A Deployment created in kube-public, where nothing runs.',
    expect: [R.systemNamespace],
    requests: [createWorkload(DEV, 'Deployment', 'cluster-info-cache', 'kube-public', one())],
  });
  return out;
}

function ads0002Benign(): Spec[] {
  const cainjector = serviceAccount('cert-manager', 'cert-manager-cainjector', 'cainjector/v1.15.1 (linux/amd64) cert-manager/2d1e2d1e');
  return [
    {
      id: 'cainjector-patches-cabundle',
      family: 'k8s-admission',
      description: "cert-manager's CA injector patches the caBundle of a webhook configuration after a certificate renewal.",
      requests: [
        {
          actor: cainjector,
          verb: 'patch',
          resource: 'validatingwebhookconfigurations',
          group: 'admissionregistration.k8s.io',
          name: 'cert-manager-webhook',
          body: { webhooks: [{ name: 'webhook.cert-manager.io', clientConfig: { caBundle: 'LS0tLS1CRUdJTi...' } }] },
        },
      ],
    },
    {
      id: 'namespace-psa-restricted',
      family: 'k8s-pod-security',
      description: 'An administrator creates an application namespace that enforces the restricted Pod Security level.',
      requests: [
        {
          actor: ADMIN,
          verb: 'create',
          resource: 'namespaces',
          name: 'payments',
          body: {
            kind: 'Namespace',
            apiVersion: 'v1',
            metadata: {
              name: 'payments',
              labels: {
                'pod-security.kubernetes.io/enforce': 'restricted',
                'pod-security.kubernetes.io/enforce-version': 'latest',
                'pod-security.kubernetes.io/warn': 'restricted',
              },
            },
          },
        },
      ],
    },
    {
      id: 'helm-upgrade-falco-image',
      family: 'k8s-agent-upgrade',
      description: "helm upgrade patches the Falco DaemonSet's image (a patch, not a removal).",
      requests: [
        {
          actor: HELM,
          verb: 'patch',
          resource: 'daemonsets',
          group: 'apps',
          namespace: 'falco',
          name: 'falco',
          body: { spec: { template: { spec: { containers: [{ name: 'falco', image: 'docker.io/falcosecurity/falco:0.38.2' }] } } } },
        },
      ],
    },
    {
      id: 'metrics-server-in-kube-system',
      family: 'k8s-system-namespace',
      description: 'An administrator installs metrics-server into kube-system as a Deployment; the ReplicaSet controller creates its pod.',
      requests: [
        createWorkload(
          HELM,
          'Deployment',
          'metrics-server',
          'kube-system',
          one({
            name: 'metrics-server',
            image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.1',
            command: undefined,
            args: ['--kubelet-preferred-address-types=InternalIP'],
            securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false },
          }),
        ),
        {
          actor: controller('replicaset-controller'),
          verb: 'create',
          resource: 'pods',
          namespace: 'kube-system',
          name: 'metrics-server-5f6d8',
          body: workload(
            'Pod',
            'metrics-server-5f6d8',
            'kube-system',
            one({ name: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.1' }),
          ),
        },
      ],
    },
    {
      id: 'kubectl-drain-evictions',
      family: 'k8s-system-namespace',
      description: 'kubectl drain evicts the pods of a node, kube-system ones included (create on pods/eviction).',
      requests: ['coredns-7db6d8ff4d-x2kq9', 'kube-proxy-7xk2p'].map((name) => ({
        actor: ADMIN,
        verb: 'create' as const,
        resource: 'pods',
        namespace: 'kube-system',
        name,
        subresource: 'eviction',
        body: { kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name, namespace: 'kube-system' } },
      })),
    },
    {
      id: 'fluentbit-parser-annotation',
      family: 'k8s-log-opt-out',
      description: 'An nginx Deployment annotated with the Fluent Bit parser to use for its logs (an ordinary annotation, logs still shipped).',
      requests: [
        createWorkload(CI, 'Deployment', 'edge', 'shop', {
          spec: { containers: [{ name: 'nginx', image: 'docker.io/library/nginx:1.27' }] },
          annotations: { 'fluentbit.io/parser': 'nginx', 'fluentbit.io/exclude': 'false', 'prometheus.io/scrape': 'true' },
        }),
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// ADS-0004: virtual machines in the cluster

function ads0004Positive(): Spec[] {
  const T = 'T1564.006';
  const vm = (resource: string, kind: string, name: string): Request => ({
    actor: DEV,
    verb: 'create',
    resource,
    group: 'kubevirt.io',
    namespace: 'default',
    name,
    body: {
      apiVersion: 'kubevirt.io/v1',
      kind,
      metadata: { name, namespace: 'default' },
      spec:
        kind === 'VirtualMachine'
          ? {
              runStrategy: 'Always',
              template: {
                spec: {
                  domain: { devices: {}, resources: { requests: { memory: '1Gi' } } },
                  volumes: [{ name: 'disk0', containerDisk: { image: 'quay.io/containerdisks/ubuntu:22.04' } }],
                },
              },
            }
          : {
              domain: { devices: {}, resources: { requests: { memory: '1Gi' } } },
              volumes: [{ name: 'disk0', containerDisk: { image: 'quay.io/containerdisks/ubuntu:22.04' } }],
            },
    },
  });
  return [
    {
      id: 'kvm-resource-pod',
      family: 'k8s-kvm',
      technique: T,
      description: 'A pod requests the devices.kubevirt.io/kvm resource and runs its own qemu.',
      expect: [R.kvm],
      requests: [
        createWorkload(
          DEV,
          'Pod',
          'builder',
          'default',
          one({
            command: ['qemu-system-x86_64', '-enable-kvm', '-nographic', '-m', '1024', '-hda', '/data/vm.qcow2'],
            resources: { limits: { 'devices.kubevirt.io/kvm': '1' } },
          }),
        ),
      ],
    },
    {
      id: 'kvm-hostpath-deployment',
      family: 'k8s-kvm',
      technique: T,
      description: 'A Deployment mounts /dev/kvm from the node.',
      expect: [R.kvm],
      requests: [createWorkload(DEV, 'Deployment', 'renderer', 'default', hostPathPod('/dev/kvm'))],
    },
    {
      id: 'kvm-hostpath-dev-slash-job',
      family: 'k8s-kvm',
      technique: T,
      description: 'A Job mounts the whole /dev/ (with a trailing slash), KVM included.',
      expect: [R.kvm],
      requests: [createWorkload(DEV, 'Job', 'convert', 'default', hostPathPod('/dev/'))],
    },
    {
      id: 'kubevirt-vm-created',
      family: 'k8s-kubevirt',
      technique: T,
      description: 'A developer creates a KubeVirt VirtualMachine.',
      expect: [R.kvm],
      requests: [vm('virtualmachines', 'VirtualMachine', 'ubuntu-dev')],
    },
    {
      id: 'kubevirt-vmi-created',
      family: 'k8s-kubevirt',
      technique: T,
      description: 'A developer creates a VirtualMachineInstance directly.',
      expect: [R.kvm],
      requests: [vm('virtualmachineinstances', 'VirtualMachineInstance', 'quick-vm')],
    },
  ];
}

function ads0004Benign(): Spec[] {
  return [
    {
      id: 'gpu-training-job',
      family: 'k8s-ordinary',
      description: 'A machine-learning training Job asking for one NVIDIA GPU.',
      requests: [
        createWorkload(
          CI,
          'Job',
          'train-resnet',
          'ml',
          one({
            name: 'train',
            image: 'nvcr.io/nvidia/pytorch:24.05-py3',
            command: ['python', 'train.py'],
            resources: { limits: { 'nvidia.com/gpu': '1', cpu: '4', memory: '16Gi' } },
          }),
        ),
      ],
    },
    {
      id: 'nvidia-device-plugin',
      family: 'k8s-node-agent',
      description: "NVIDIA's device plugin DaemonSet in kube-system, registering with the kubelet's device-plugins directory (allowlisted image).",
      requests: [
        createWorkload(ADMIN, 'DaemonSet', 'nvidia-device-plugin-daemonset', 'kube-system', {
          spec: {
            priorityClassName: 'system-node-critical',
            containers: [
              {
                name: 'nvidia-device-plugin-ctr',
                image: 'nvcr.io/nvidia/k8s-device-plugin:v0.15.0',
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' }],
              },
            ],
            volumes: [{ name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } }],
          },
        }),
      ],
    },
    {
      id: 'virt-launcher-by-controller',
      family: 'k8s-controller-pod',
      description: "KubeVirt's controller creates the virt-launcher pod of a VM an operator already created (requests KVM).",
      requests: [
        {
          actor: serviceAccount('kubevirt', 'kubevirt-controller', 'virt-controller/v1.2.2 (linux/amd64) kubernetes/$Format'),
          verb: 'create',
          resource: 'pods',
          namespace: 'vms',
          name: 'virt-launcher-build-agent-x7k2q',
          body: workload(
            'Pod',
            'virt-launcher-build-agent-x7k2q',
            'vms',
            one({
              name: 'compute',
              image: 'quay.io/kubevirt/virt-launcher:v1.2.2',
              command: ['/usr/bin/virt-launcher-monitor'],
              resources: { limits: { 'devices.kubevirt.io/kvm': '1', 'devices.kubevirt.io/tun': '1', 'devices.kubevirt.io/vhost-net': '1' } },
            }),
          ),
        },
      ],
    },
    {
      id: 'qemu-img-convert-job',
      family: 'k8s-ordinary',
      description: 'A Job converts a disk image with qemu-img into a PersistentVolumeClaim (no KVM, no VM started).',
      requests: [
        createWorkload(
          CI,
          'Job',
          'convert-disk',
          'images',
          one(
            {
              name: 'convert',
              image: 'quay.io/kubevirt/cdi-importer:v1.59.0',
              command: ['qemu-img', 'convert', '-O', 'raw', '/src/disk.qcow2', '/dst/disk.img'],
              volumeMounts: [{ name: 'dst', mountPath: '/dst' }],
            },
            { volumes: [{ name: 'dst', persistentVolumeClaim: { claimName: 'disk' } }] },
          ),
        ),
      ],
    },
  ];
}

export const generate: VariantGenerator = () => [
  ...ads0001Positive().map((s) => build('ADS-0001', 'positive', s)),
  ...ads0001Benign().map((s) => build('ADS-0001', 'benign', s)),
  ...ads0002Positive().map((s) => build('ADS-0002', 'positive', s)),
  ...ads0002Benign().map((s) => build('ADS-0002', 'benign', s)),
  ...ads0003Positive().map((s) => build('ADS-0003', 'positive', s)),
  ...ads0003Benign().map((s) => build('ADS-0003', 'benign', s)),
  ...ads0004Positive().map((s) => build('ADS-0004', 'positive', s)),
  ...ads0004Benign().map((s) => build('ADS-0004', 'benign', s)),
];
