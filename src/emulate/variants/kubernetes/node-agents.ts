// ADS-0003 benign: documented node agents and ordinary workloads; each must raise nothing.
import { DEV, HELM, CI, NODE, controller, serviceAccount } from './audit.js';
import { type Obj, workload, createWorkload } from './workload.js';
import type { Spec } from './spec.js';

const ro = (name: string, mountPath: string): Obj => ({ name, mountPath, readOnly: true });

/** A hardened application, a log shipper and a metrics agent. */
export function hardenedAndMonitoring(): Spec[] {
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
  ];
}

/** Pods the control plane and a storage driver create on every node. */
export function controlPlaneAndStorage(): Spec[] {
  return [
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
  ];
}

/** Security and observability agents that need the node: Falco, Datadog. */
export function securityAgents(): Spec[] {
  return [
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
  ];
}

/** Day-to-day operations: restarts, provisioned volumes, logs and port-forwards. */
export function routineOperations(): Spec[] {
  return [
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
  ];
}

/** A CI runner that execs into its own build pods, and the scheduler and kubelet at work. */
export function ciAndScheduler(): Spec[] {
  return [
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
