// ADS-0002: admission, Pod Security, log collection and security agents.
import { type Actor, type Request, type Verb, DEV, ADMIN, HELM, CI, STOLEN_SA, controller, serviceAccount } from './audit.js';
import { type WorkloadKind, workload, createWorkload, sleeper, one } from './workload.js';
import { R, type Spec } from './spec.js';

const T = 'T1562.001';
const adm = (actor: Actor, verb: Verb, resource: string, name: string | undefined, body?: unknown): Request => ({
  actor,
  verb,
  resource,
  group: 'admissionregistration.k8s.io',
  ...(name !== undefined ? { name } : {}),
  ...(body !== undefined ? { body } : {}),
});

/** Admission webhooks and policy bindings deleted or loosened. */
export function admissionWebhooks(): Spec[] {
  return [
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
  ];
}

/** Pod Security labels loosened or removed, security agents removed. */
export function podSecurityAndAgents(): Spec[] {
  return [
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
}

/** Pods that opt out of log collection, and workloads placed in system namespaces. */
export function logOptOutAndSystemNamespaces(): Spec[] {
  const out: Spec[] = [];
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

export function ads0002Benign(): Spec[] {
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
