// ADS-0003: pods that mount the node's sensitive paths, directly or through a PersistentVolume.
import { DEV } from './audit.js';
import { createWorkload, one, hostPathPod } from './workload.js';
import { R, type Spec } from './spec.js';

const T = 'T1611';

/** Host paths: other spellings of the same sensitive places, and directories that contain them. */
export function hostPathSpellings(): Spec[] {
  const out: Spec[] = [];
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
  return out;
}

/** The node's file system reached without a hostPath in the pod: kubectl debug node, PersistentVolumes. */
export function hostPathWorkloads(): Spec[] {
  const out: Spec[] = [];
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
  return out;
}
