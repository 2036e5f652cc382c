import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentRulePaths, defaultStrategiesDir, loadStrategies } from './catalog.js';
import { buildNavigatorLayer } from './navigator.js';
import { computeCoverage } from './coverage.js';

test('the shipped catalog has five strategies and maps each rule to its strategy with the response checklist', async () => {
  const { catalog, diagnostics } = await loadStrategies();
  assert.deepEqual(diagnostics, []);
  const ids = catalog.strategies().map((s) => s.id);
  assert.deepEqual(ids, ['ADS-0001', 'ADS-0002', 'ADS-0003', 'ADS-0004', 'ADS-0005']);
  // Privileged Container Created belongs to ADS-0003
  const hit = catalog.forRule('5af7ce7b-b27f-4e02-8dd8-9a91d75d910f');
  assert.ok(hit);
  assert.equal(hit.strategy.id, 'ADS-0003');
  assert.equal(hit.strategy.priority, 'critical');
  assert.ok(hit.strategy.response.length >= 5);
  assert.ok(hit.strategy.response.every((s) => s.length > 10 && !s.startsWith('**')));
  // the ATT&CK refs are those of the strategy that the rule's tags name
  assert.deepEqual(hit.attack.map((a) => a.technique).sort(), ['T1610', 'T1611']);
  assert.deepEqual(hit.attack.find((a) => a.technique === 'T1610')!.tactics, ['defense-evasion', 'execution']);
  assert.equal(catalog.forRule('no-such-rule'), undefined);
  // referenced analytics route to their strategy too, with the strategy's mapping their tags name ...
  const shortLived = catalog.forRule('af8671cc-0534-4d0f-b516-f321e33edee5');
  assert.equal(shortLived?.strategy.id, 'ADS-0005');
  assert.deepEqual(
    shortLived.attack.map((a) => a.technique),
    ['T1610'],
  );
  // ... or their own tags when the strategy does not map what they detect (CPU spike: T1496)
  const cpu = catalog.forRule('cbdef708-4f65-4a6d-98e9-86427165305d');
  assert.equal(cpu?.strategy.id, 'ADS-0002');
  assert.ok(cpu.attack.some((a) => a.technique === 'T1496'));
  // callers cannot corrupt the catalog through what it returns
  hit.strategy.response.push('x');
  assert.notEqual(catalog.forRule('5af7ce7b-b27f-4e02-8dd8-9a91d75d910f')!.strategy.response.at(-1), 'x');
});

test('contentRulePaths lists the rules folder of every strategy', async () => {
  const paths = await contentRulePaths();
  assert.equal(paths.length, 5);
  assert.ok(paths.every((p) => p.startsWith(defaultStrategiesDir()) && p.endsWith('rules')));
});

test('a strategies folder that does not exist gives an empty catalog, not an exception', async () => {
  const { catalog } = await loadStrategies('/nonexistent/stowaway/strategies');
  assert.deepEqual(catalog.strategies(), []);
});

test('navigator layer: versions, domain, one entry per technique and tactic with score, comment and metadata', async () => {
  const { catalog } = await loadStrategies();
  const docs = catalog.rules().flatMap((r) => (r.id ? [{ id: r.id, title: r.title ?? r.id, level: r.level ?? 'medium', kind: r.kind, tags: r.tags }] : []));
  const layer = buildNavigatorLayer(computeCoverage(docs, catalog));
  assert.equal(layer.domain, 'enterprise-attack');
  assert.deepEqual(Object.keys(layer.versions).sort(), ['attack', 'layer', 'navigator']);
  assert.match(layer.versions.attack, /^\d+$/);
  assert.ok(layer.techniques.length > 10);
  for (const t of layer.techniques) {
    assert.match(t.techniqueID, /^T\d{4}(\.\d{3})?$/);
    assert.equal(typeof t.tactic, 'string');
    assert.equal(typeof t.score, 'number');
    assert.equal(typeof t.comment, 'string');
    assert.ok(Array.isArray(t.metadata));
  }
  const escape = layer.techniques.find((t) => t.techniqueID === 'T1611');
  assert.ok(escape);
  assert.equal(escape.tactic, 'privilege-escalation');
  // score = the shipped rules and analytics tagged T1611, counted independently of the layer
  const t1611 = catalog.rules().filter((r) => r.kind !== 'filter' && r.tags.some((t) => t.toLowerCase() === 'attack.t1611'));
  assert.ok(t1611.length >= 7, `T1611 rules: ${t1611.length}`);
  assert.equal(escape.score, t1611.length);
  assert.ok(escape.metadata.some((m) => m.name === 'strategy' && m.value === 'ADS-0003'));
  // T1610 is both defense-evasion and execution: two entries
  assert.equal(layer.techniques.filter((t) => t.techniqueID === 'T1610').length, 2);
  assert.equal(layer.gradient.maxValue, Math.max(...layer.techniques.map((t) => t.score)));
});

test('a broken strategy or rule file is a diagnostic; the good strategies still load', async () => {
  const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
  try {
    await mkdir(join(dir, 'a', 'rules'), { recursive: true });
    await mkdir(join(dir, 'b', 'rules'), { recursive: true });
    await writeFile(
      join(dir, 'a', 'strategy.md'),
      '---\nid: ADS-0201\ntitle: Good\npriority: low\nattack:\n  - technique: T1611\n    tactics: [privilege-escalation]\n---\n## Response\n1. Look at the container closely.\n',
    );
    await writeFile(
      join(dir, 'a', 'rules', 'r.yml'),
      'title: R\nid: 44444444-4444-4444-8444-444444444444\ntags: [attack.t1611]\nlogsource: {product: docker}\ndetection: {s: {a: 1}, condition: s}\n',
    );
    await writeFile(join(dir, 'a', 'rules', 'bad.yml'), 'title: [unclosed\n');
    await writeFile(join(dir, 'b', 'strategy.md'), '---\nid: [ADS\n---\n# broken\n');
    const { catalog, diagnostics } = await loadStrategies(dir);
    assert.deepEqual(
      catalog.strategies().map((s) => s.id),
      ['ADS-0201'],
    );
    assert.equal(catalog.forRule('44444444-4444-4444-8444-444444444444')?.strategy.response[0], 'Look at the container closely.');
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax' && d.file?.endsWith('bad.yml')));
    assert.ok(diagnostics.some((d) => d.code === 'front-matter' && d.file?.includes(join('b', 'strategy.md'))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
