import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { contentPlaceholdersPath, contentRulePaths, defaultStrategiesDir } from '../../ads/catalog.js';
import { auditEvent, generate, K8S_RULES } from './kubernetes.js';
import type { Variant } from './types.js';
import { parserFor } from '../../sources/files.js';
import { formatVariantReport, replayVariants, type VariantReport } from './replay.js';
import { join } from 'node:path';
import type { StowawayEvent } from '../../model/event.js';

/** The events of a variant's generated telemetry, parsed as a file of that format would be. */
async function generatedEvents(v: Variant): Promise<{ events: StowawayEvent[]; diagnostics: unknown[] }> {
  const events: StowawayEvent[] = [];
  const diagnostics: unknown[] = [];
  if (!v.events) return { events, diagnostics };
  const parser = await parserFor(v.events.format, `variant:${v.strategy}/${v.id}`);
  if ('diagnostic' in parser) return { events, diagnostics: [parser.diagnostic] };
  const take = (recs: ReturnType<typeof parser.end>): void => {
    for (const r of recs) {
      if ('event' in r) events.push(r.event);
      else diagnostics.push(r.diagnostic);
    }
  };
  v.events.lines.forEach((l, i) => take(parser.line(l, i + 1)));
  take(parser.end());
  return { events, diagnostics };
}

/** The variants through `validate --variants`' replay: every shipped rule, a fresh engine per variant. */
async function replay(variants: Variant[]): Promise<VariantReport> {
  const content = defaultStrategiesDir();
  return replayVariants({
    variants,
    // generated variants carry their events: no recording folders to read
    strategyDirs: new Map(),
    rules: await contentRulePaths(content),
    placeholders: [contentPlaceholdersPath(content)],
    analytics: join(content, '..', 'analytics'),
  });
}

test('Kubernetes variants: ids, counts per strategy and well-formed audit events', async () => {
  const vs = generate();
  const ids = new Set<string>();
  for (const v of vs) {
    assert.match(v.id, /^k8s-[a-z0-9-]+$/, v.id);
    assert.ok(v.id.length <= 41, `${v.id} is longer than 41 characters`);
    assert.ok(!ids.has(`${v.strategy}/${v.id}`), `duplicate ${v.id}`);
    ids.add(`${v.strategy}/${v.id}`);
    assert.equal(v.live, undefined, 'no API server here: Kubernetes variants are replay-only');
    assert.equal(v.events?.format, 'k8s-audit');
    if (v.kind === 'positive') assert.ok(v.expect.length > 0, `${v.id} names no rule`);
    else assert.deepEqual(v.expect, []);
    const { events, diagnostics } = await generatedEvents(v);
    assert.deepEqual(diagnostics, [], v.id);
    assert.equal(events.length, v.events.lines.length, v.id);
    for (const line of v.events.lines) {
      const e = JSON.parse(line);
      assert.equal(e.apiVersion, 'audit.k8s.io/v1');
      assert.equal(e.stage, 'ResponseComplete');
      assert.ok(e.objectRef.resource && e.user.username && e.requestURI.startsWith('/api'), line);
    }
  }
  // the share of issue 10 this generator owns: positives / benign per strategy
  const want: Record<string, [number, number]> = { 'ADS-0001': [7, 4], 'ADS-0002': [7, 4], 'ADS-0003': [10, 5], 'ADS-0004': [4, 3] };
  for (const [ads, [pos, ben]] of Object.entries(want)) {
    assert.ok(vs.filter((v) => v.strategy === ads && v.kind === 'positive').length >= pos, `${ads} positives`);
    assert.ok(vs.filter((v) => v.strategy === ads && v.kind === 'benign').length >= ben, `${ads} benign`);
  }
  assert.deepEqual(generate(), vs, 'deterministic');
});

test('Kubernetes variants replay: every positive detected by a rule it names, every benign quiet on every shipped rule', async (t) => {
  const rep = await replay(generate());
  assert.deepEqual(
    rep.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const results = rep.results;
  for (const line of formatVariantReport(rep).split('\n')) t.diagnostic(line);
  const failed = results
    .filter((r) => r.verdict !== 'pass')
    .map((r) => `${r.variant.strategy} ${r.variant.id} (${r.variant.kind}): ${r.verdict}, fired ${[...r.fired.keys()].join(',') || 'nothing'}`);
  assert.deepEqual(failed, []);
  // every new Kubernetes rule is proven by at least one variant
  const fired = new Set(results.filter((r) => r.variant.kind === 'positive').flatMap((r) => [...r.fired.keys()]));
  for (const [name, id] of Object.entries(K8S_RULES)) assert.ok(fired.has(id), `${name} (${id}) detects no variant`);
});

test('the default Kubernetes allowlists name real infrastructure, never the test image prefix', async () => {
  const ph = parseYaml(await readFile(contentPlaceholdersPath(defaultStrategiesDir()), 'utf8')) as Record<string, string[]>;
  for (const key of ['k8s_controller_users', 'k8s_node_agent_images', 'k8s_exec_automation_users', 'k8s_admission_managers', 'k8s_security_agent_namespaces']) {
    assert.ok(Array.isArray(ph[key]) && ph[key].length > 0, key);
    for (const entry of ph[key]) {
      assert.doesNotMatch(entry, /stowaway/i, `${key}: ${entry}`);
      assert.notEqual(entry.replace(/\*/g, ''), '', `${key}: a bare wildcard silences everything`);
    }
  }
  // an image entry names one repository (registry/path:tag pattern), not a whole registry
  for (const entry of ph.k8s_node_agent_images!) assert.match(entry, /^[a-z0-9.-]+\/[a-z0-9._/-]+(:\*|\/\*)$/, entry);
});

test('a privileged Deployment alerts once, at the Deployment: its ReplicaSet and pods made by controllers do not alert again', async () => {
  const ctl = (name: string) => ({
    username: `system:serviceaccount:kube-system:${name}`,
    groups: ['system:serviceaccounts', 'system:authenticated'],
    userAgent: 'kube-controller-manager/v1.30.2',
    ip: '10.20.0.5',
  });
  const dev = { username: 'dev-jane', groups: ['system:authenticated'], userAgent: 'kubectl/v1.30.2', ip: '10.20.0.14' };
  const spec = { containers: [{ name: 'c', image: 'docker.io/library/alpine:3.20', securityContext: { privileged: true } }] };
  const tpl = { metadata: { labels: { app: 'x' } }, spec };
  const lines = [
    auditEvent('chain', 0, {
      actor: dev,
      verb: 'create',
      resource: 'deployments',
      group: 'apps',
      namespace: 'default',
      name: 'x',
      body: { kind: 'Deployment', spec: { template: tpl } },
    }),
    auditEvent('chain', 1, {
      actor: ctl('deployment-controller'),
      verb: 'create',
      resource: 'replicasets',
      group: 'apps',
      namespace: 'default',
      name: 'x-5d8f',
      body: { kind: 'ReplicaSet', spec: { template: tpl } },
    }),
    auditEvent('chain', 2, {
      actor: ctl('replicaset-controller'),
      verb: 'create',
      resource: 'pods',
      namespace: 'default',
      name: 'x-5d8f-abc',
      body: { kind: 'Pod', metadata: { name: 'x-5d8f-abc' }, spec },
    }),
    auditEvent('chain', 3, {
      actor: ctl('replicaset-controller'),
      verb: 'create',
      resource: 'pods',
      namespace: 'default',
      name: 'x-5d8f-def',
      body: { kind: 'Pod', metadata: { name: 'x-5d8f-def' }, spec },
    }),
  ].map((e) => JSON.stringify(e));
  const v: Variant = {
    strategy: 'ADS-0003',
    id: 'k8s-chain',
    kind: 'positive',
    family: 'k8s-controller',
    description: 'chain',
    expect: [K8S_RULES.privileged],
    events: { format: 'k8s-audit', lines },
  };
  const r = (await replay([v])).results[0]!;
  assert.deepEqual([...r.fired.entries()], [[K8S_RULES.privileged, 1]]);
  // the same pod created by a person is judged
  const [direct] = (
    await replay([
      {
        ...v,
        events: {
          format: 'k8s-audit',
          lines: [
            JSON.stringify(
              auditEvent('direct', 0, { actor: dev, verb: 'create', resource: 'pods', namespace: 'default', name: 'p', body: { kind: 'Pod', spec } }),
            ),
          ],
        },
      },
    ])
  ).results;
  assert.deepEqual([...direct!.fired.entries()], [[K8S_RULES.privileged, 1]]);
});
