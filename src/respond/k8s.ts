// Kubernetes quarantine of a pod: a label on the pod and a NetworkPolicy that selects that
// label and allows nothing in or out. Generated always, checked against the
// networking.k8s.io/v1 structure here, applied only through a configured kubeconfig.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { textOf } from '../model/values.js';
import type { ActionOutcome } from './docker.js';

const run = promisify(execFile);

export const QUARANTINE_LABEL = 'stowaway.io/quarantine';

export interface QuarantineManifests {
  /** A strategic-merge patch for the pod's labels (`kubectl patch pod P -n NS --type strategic -p ...`). */
  podPatch: { metadata: { labels: Record<string, string> } };
  networkPolicy: {
    apiVersion: 'networking.k8s.io/v1';
    kind: 'NetworkPolicy';
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: ('Ingress' | 'Egress')[]; ingress: []; egress: [] };
  };
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A label value from an alert id: at most 63 characters, alphanumeric at both ends. */
export function labelValue(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9_.-]/g, '-')
      .slice(0, 63)
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'x'
  );
}

export function quarantineManifests(pod: { namespace: string; name: string }, alertId: string): QuarantineManifests {
  const value = labelValue(alertId);
  const name = `stowaway-quarantine-${value}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
  return {
    podPatch: { metadata: { labels: { [QUARANTINE_LABEL]: value } } },
    networkPolicy: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: pod.namespace, labels: { 'app.kubernetes.io/managed-by': 'stowaway' } },
      // Both policy types with no rules: deny every connection to and from the selected pod.
      spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: value } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
    },
  };
}

function labelKeyProblem(k: string): string | undefined {
  const [prefix, name] = k.includes('/') ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)] : [undefined, k];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return `label key prefix '${prefix}' is not a DNS subdomain`;
  if (!name || name.length > 63 || !LABEL_NAME.test(name)) return `label key name '${name}' is not a qualified name`;
  return undefined;
}

function labelsProblems(where: string, labels: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const kp = labelKeyProblem(k);
    if (kp) out.push(`${where}: ${kp}`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where}: label value '${v}' is not valid`);
  }
  return out;
}

/**
 * Structural checks of the networking.k8s.io/v1 NetworkPolicy schema and of the label
 * patch: required fields, name and namespace syntax, label key/value syntax, policy types.
 * Not checked here: what only an API server knows (admission, the CNI enforcing policy).
 */
export function validateManifests(m: QuarantineManifests): string[] {
  const p: string[] = [];
  const np = m.networkPolicy;
  if (np.apiVersion !== 'networking.k8s.io/v1') p.push('apiVersion must be networking.k8s.io/v1');
  if (np.kind !== 'NetworkPolicy') p.push('kind must be NetworkPolicy');
  if (!np.metadata?.name || np.metadata.name.length > 253 || !DNS1123_SUBDOMAIN.test(np.metadata.name))
    p.push(`metadata.name '${np.metadata?.name}' is not a DNS subdomain (253 max)`);
  if (!np.metadata?.namespace || np.metadata.namespace.length > 63 || !DNS1123_LABEL.test(np.metadata.namespace))
    p.push(`metadata.namespace '${np.metadata?.namespace}' is not a DNS label (63 max)`);
  p.push(...labelsProblems('metadata.labels', np.metadata?.labels ?? {}));
  if (!np.spec || typeof np.spec.podSelector !== 'object' || np.spec.podSelector === null) p.push('spec.podSelector is required');
  else {
    const sel = np.spec.podSelector.matchLabels ?? {};
    if (Object.keys(sel).length === 0) p.push('spec.podSelector selects every pod of the namespace: a quarantine selects one label');
    p.push(...labelsProblems('spec.podSelector.matchLabels', sel));
  }
  for (const t of np.spec?.policyTypes ?? []) if (t !== 'Ingress' && t !== 'Egress') p.push(`spec.policyTypes: '${textOf(t)}' is not Ingress or Egress`);
  if (!np.spec?.policyTypes?.includes('Ingress') || !np.spec?.policyTypes?.includes('Egress'))
    p.push('spec.policyTypes must name Ingress and Egress, or traffic in one direction stays open');
  if (!Array.isArray(np.spec?.ingress) || np.spec.ingress.length !== 0 || !Array.isArray(np.spec?.egress) || np.spec.egress.length !== 0)
    p.push('spec.ingress and spec.egress must be empty lists (deny all)');
  p.push(...labelsProblems('pod patch metadata.labels', m.podPatch.metadata.labels));
  const sel = np.spec?.podSelector?.matchLabels ?? {};
  for (const [k, v] of Object.entries(sel))
    if (m.podPatch.metadata.labels[k] !== v) p.push(`the pod patch does not set the label ${k}=${v} the policy selects`);
  return p;
}

/** Writes the manifests into `dir`; applies them with kubectl only when a kubeconfig is configured. */
export async function quarantinePod(
  pod: { namespace: string; name: string },
  alertId: string,
  dir: string,
  kubeconfig: string | undefined,
  dryRun: boolean,
): Promise<ActionOutcome> {
  const m = quarantineManifests(pod, alertId);
  const problems = validateManifests(m);
  if (problems.length) throw new Error(`generated manifests fail validation: ${problems.join('; ')}`);
  const npFile = join(dir, 'networkpolicy.yaml');
  const patchFile = join(dir, 'pod-label-patch.json');
  writeFileSync(npFile, stringify(m.networkPolicy), { mode: 0o600 });
  writeFileSync(patchFile, JSON.stringify(m.podPatch), { mode: 0o600 });
  const label = `${QUARANTINE_LABEL}=${m.podPatch.metadata.labels[QUARANTINE_LABEL]}`;
  const undo = `kubectl -n ${pod.namespace} delete networkpolicy ${m.networkPolicy.metadata.name} && kubectl -n ${pod.namespace} label pod ${pod.name} ${QUARANTINE_LABEL}-`;
  const data = { manifests: [npFile, patchFile], networkpolicy: m.networkPolicy.metadata.name, label };
  if (dryRun || !kubeconfig) {
    return {
      detail: `${dryRun ? 'would write' : 'wrote'} NetworkPolicy ${m.networkPolicy.metadata.name} (deny all ingress and egress) and label ${label} for pod ${pod.namespace}/${pod.name}; ${kubeconfig ? 'not applied (dry run)' : 'not applied: no kubeconfig in the response policy — apply with kubectl apply -f and kubectl patch'}`,
      undo,
      data: { ...data, applied: false },
    };
  }
  const k = ['--kubeconfig', kubeconfig, '-n', pod.namespace];
  // The label first: a policy selecting nothing is harmless, a pod labelled without a policy too.
  await run('kubectl', [...k, 'patch', 'pod', pod.name, '--type', 'strategic', '-p', JSON.stringify(m.podPatch)]);
  await run('kubectl', [...k, 'apply', '-f', npFile]);
  return {
    detail: `applied NetworkPolicy ${m.networkPolicy.metadata.name} (deny all) and label ${label} to pod ${pod.namespace}/${pod.name}`,
    undo,
    data: { ...data, applied: true },
  };
}
