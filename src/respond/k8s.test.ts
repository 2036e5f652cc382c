// Quarantine manifests for a pod, checked against the networking.k8s.io/v1 NetworkPolicy structure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { QUARANTINE_LABEL, labelValue, quarantineManifests, quarantinePod, validateManifests } from './k8s.js';

test('the NetworkPolicy denies all traffic of exactly the labelled pod, and the patch sets that label', () => {
  const m = quarantineManifests({ namespace: 'prod', name: 'api-1-7d9' }, '3F2A9C0D-1E2B-4C4D-8E6F-708192A3B4C5');
  assert.deepEqual(validateManifests(m), []);
  assert.equal(m.networkPolicy.metadata.namespace, 'prod');
  assert.deepEqual(m.networkPolicy.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(m.networkPolicy.spec.ingress, []);
  assert.deepEqual(m.networkPolicy.spec.egress, []);
  const v = m.podPatch.metadata.labels[QUARANTINE_LABEL];
  assert.equal(v, '3f2a9c0d-1e2b-4c4d-8e6f-708192a3b4c5');
  assert.deepEqual(m.networkPolicy.spec.podSelector.matchLabels, { [QUARANTINE_LABEL]: v });
});

test('validation catches what the API server would reject, and what would leave the pod reachable', () => {
  const good = quarantineManifests({ namespace: 'prod', name: 'p' }, 'a1');
  const cases: [string, (m: typeof good) => void, RegExp][] = [
    ['namespace', (m) => (m.networkPolicy.metadata.namespace = 'Prod_NS'), /namespace 'Prod_NS' is not a DNS label/],
    ['name', (m) => (m.networkPolicy.metadata.name = 'x'.repeat(254)), /metadata.name .* is not a DNS subdomain/],
    ['selector', (m) => (m.networkPolicy.spec.podSelector.matchLabels = {}), /selects every pod/],
    ['egress', (m) => (m.networkPolicy.spec.policyTypes = ['Ingress']), /must name Ingress and Egress/],
    ['allow rule', (m) => ((m.networkPolicy.spec as { egress: unknown[] }).egress = [{}]), /must be empty lists/],
    ['label value', (m) => (m.podPatch.metadata.labels[QUARANTINE_LABEL] = '-bad-'), /label value '-bad-' is not valid|does not set the label/],
  ];
  for (const [what, change, want] of cases) {
    const m = structuredClone(good);
    change(m);
    assert.match(validateManifests(m).join('; '), want, what);
  }
  assert.equal(labelValue('---'), 'x');
  assert.equal(labelValue('A'.repeat(80)).length, 63);
});

test('without a kubeconfig the manifests are written, never applied, and the record says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-k8s-'));
  try {
    const o = await quarantinePod({ namespace: 'prod', name: 'api-1' }, 'alert-1', dir, undefined, false);
    assert.equal(o.data?.applied, false);
    assert.match(o.detail, /not applied: no kubeconfig/);
    const np = parse(readFileSync(join(dir, 'networkpolicy.yaml'), 'utf8')) as { kind: string; spec: { podSelector: { matchLabels: Record<string, string> } } };
    assert.equal(np.kind, 'NetworkPolicy');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'pod-label-patch.json'), 'utf8')), { metadata: { labels: np.spec.podSelector.matchLabels } });
    assert.match(o.undo ?? '', /kubectl -n prod delete networkpolicy stowaway-quarantine-alert-1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
