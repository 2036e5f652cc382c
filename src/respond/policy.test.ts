// The response policy: content entries, the user's file over them, and what an alert may get.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyUserPolicy, emptyPolicy, loadContentPolicy, parseStrategyResponse, permitted } from './policy.js';
import { defaultStrategiesDir } from '../ads/index.js';
import { createRateLimit, protectedReason, sameContainer, selfContainerIds } from './safety.js';

const alert = (rule: string, level: 'low' | 'medium' | 'high' | 'critical', strategy?: string) => ({
  rule: { id: rule, title: 't', kind: 'sigma' as const, level, tags: [] },
  level,
  ...(strategy ? { strategy: { id: strategy, title: 's', priority: 'high' as const, response: [] } } : {}),
});

test('a strategy entry grants its actions at its level and above; undo comes with the action', () => {
  const r = parseStrategyResponse(
    'strategy: ADS-0009\nentries:\n  - rules: [r1]\n    min_level: high\n    allow: [preserve, isolate, pause]\n    auto: [isolate]\n',
    'x/response.yml',
  );
  assert.deepEqual(r.diagnostics, []);
  const p = { ...emptyPolicy(), strategies: new Map([['ADS-0009', r.entries]]) };
  assert.deepEqual(permitted(p, alert('r1', 'high', 'ADS-0009')), {
    allow: ['preserve', 'isolate', 'restore', 'pause', 'unpause'],
    auto: ['isolate'],
    sources: ['x/response.yml:3'],
  });
  assert.deepEqual(permitted(p, alert('r1', 'medium', 'ADS-0009')).allow, [], 'below min_level');
  assert.deepEqual(permitted(p, alert('r2', 'critical', 'ADS-0009')).allow, [], 'another rule');
  assert.deepEqual(permitted(p, alert('r1', 'critical', 'ADS-0001')).allow, [], 'another strategy');
});

test('bad entries are refused one by one with file and line; good ones stay', () => {
  const text = [
    'strategy: ADS-0009',
    'entries:',
    '  - rules: [r1]',
    '    allow: [isolate, explode]',
    '  - rules: [r2]',
    '    allow: [pause]',
    '    auto: [stop]',
    '  - rules: [r3]',
    '    allow: [isolate, restore]',
    '    auto: [restore]',
    '  - rules: [r4]',
    '    min_level: severe',
    '  - rules: [r5]',
    '    allow: [preserve]',
  ].join('\n');
  const r = parseStrategyResponse(text, 'f.yml');
  assert.deepEqual(
    r.entries.map((e) => e.rules[0]),
    ['r5'],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line} ${d.message}`),
    [
      '3 entry 1: unknown action(s) explode (known: preserve, isolate, restore, pause, unpause, stop, terminate, quarantine); entry refused',
      '5 entry 2: auto action(s) stop are not in allow; entry refused',
      '8 entry 3: restore undo an action and are never automatic; entry refused',
      "11 entry 4: min_level 'severe' is not one of informational, low, medium, high, critical; entry refused",
    ],
  );
});

test("the user file sets the mode, protects workloads, and replaces a strategy's entries; a bad mode keeps it off", () => {
  const base = {
    ...emptyPolicy(),
    strategies: new Map([
      ['ADS-0009', parseStrategyResponse('strategy: ADS-0009\nentries:\n  - rules: ["*"]\n    allow: [isolate]\n    auto: [isolate]\n', 'c.yml').entries],
    ]),
  };
  const u = applyUserPolicy(
    base,
    'mode: suggest\nprotect:\n  names: [traefik]\n  images: [registry.example/infra/]\nauto_rate_limit: 2/60\nstrategies:\n  ADS-0009: []\n',
    'u.yaml',
  );
  assert.deepEqual(u.diagnostics, []);
  assert.equal(u.policy.mode, 'suggest');
  assert.equal(u.policy.modeSource, 'u.yaml');
  assert.deepEqual(u.policy.autoRate, { count: 2, windowS: 60 });
  assert.deepEqual(permitted(u.policy, alert('r1', 'high', 'ADS-0009')).allow, [], "the user took the strategy's entries away");
  assert.deepEqual(permitted(base, alert('r1', 'high', 'ADS-0009')).allow, ['isolate', 'restore'], 'the content policy itself is untouched');
  const bad = applyUserPolicy(base, 'mode: yes-please\n', 'u.yaml');
  assert.equal(bad.policy.mode, 'off');
  assert.match(bad.diagnostics[0]!.message, /mode 'yes-please' is not one of off, suggest, auto/);
  assert.equal(applyUserPolicy(base, 'mode: off\n', 'u.yaml').policy.mode, 'off', 'YAML 1.1 `off` is the mode, not a boolean surprise');
  assert.equal(applyUserPolicy(base, 'mode: [\n', 'u.yaml').policy.mode, 'off', 'an unreadable file never switches response on');
  assert.equal(emptyPolicy().mode, 'off', 'off by default');
});

test('the shipped response.yml files lint clean, and auto stays with high-confidence rules', async () => {
  const { policy, diagnostics } = await loadContentPolicy(defaultStrategiesDir());
  assert.deepEqual(diagnostics, []);
  assert.deepEqual([...policy.strategies.keys()].sort(), ['ADS-0001', 'ADS-0002', 'ADS-0003', 'ADS-0004', 'ADS-0005']);
  for (const [id, entries] of policy.strategies)
    for (const e of entries) if (e.auto.length) assert.ok(e.min_level === 'high' || e.min_level === 'critical', `${id} ${e.source}: automatic below high`);
  assert.equal(policy.mode, 'off');
  // ADS-0005 asks to pause rather than stop (`--rm` would delete the container).
  assert.ok(!permitted(policy, alert('09c35da8-be3a-43b6-8e45-78f2d46fee65', 'high', 'ADS-0005')).allow.includes('stop'));
});

test("safety: stowaway's own container, protected names, images and labels; the alert's container by id only", () => {
  const ids = selfContainerIds((p) => (p.endsWith('cgroup') ? `0::/system.slice/docker-${'a'.repeat(64)}.scope\n` : ''));
  assert.deepEqual(ids, ['a'.repeat(64)]);
  const c = { id: 'b'.repeat(64), name: 'traefik', image: 'registry.example/infra/traefik:3', labels: { tier: 'edge' } };
  const none = { names: [], images: [], labels: [] };
  assert.match(protectedReason({ ...c, id: 'a'.repeat(64) }, none, ids) ?? '', /stowaway itself/);
  assert.match(protectedReason(c, { ...none, names: ['traefik'] }, []) ?? '', /by name/);
  assert.match(protectedReason(c, { ...none, images: ['registry.example/infra/'] }, []) ?? '', /image/);
  assert.match(protectedReason(c, { ...none, labels: ['tier'] }, []) ?? '', /label tier/);
  assert.equal(protectedReason(c, { ...none, labels: ['tier=core'] }, []), undefined);
  assert.equal(
    protectedReason({ ...c, image: 'stowaway/busybox:test' }, none, []),
    undefined,
    'no default allowlist: an image named stowaway/ is not stowaway',
  );
  assert.equal(sameContainer('b'.repeat(12), { Id: 'b'.repeat(64) }), undefined);
  assert.match(sameContainer('c'.repeat(12), { Id: 'b'.repeat(64) }) ?? '', /no longer matches/);
  assert.match(sameContainer('bbb', { Id: 'b'.repeat(64) }) ?? '', /too short/);
  assert.match(sameContainer(undefined, { Id: 'b'.repeat(64) }) ?? '', /names no container/);
});

test('the automatic rate limit is a sliding window', () => {
  let t = 0;
  const rl = createRateLimit(2, 10, () => t);
  assert.deepEqual([rl.take(), rl.take(), rl.take()], [true, true, false]);
  t = 9_999;
  assert.equal(rl.take(), false);
  t = 10_000;
  assert.equal(rl.take(), true);
});
