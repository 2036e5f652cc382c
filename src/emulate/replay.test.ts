import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { contentPlaceholdersPath, contentRulePaths, defaultStrategiesDir, loadStrategies } from '../ads/catalog.js';
import { formatValidationTable, judge, runValidation } from './replay.js';
import { parseScenario } from '../ads/scenario.js';

async function shipped() {
  const content = defaultStrategiesDir();
  const { catalog } = await loadStrategies(content);
  const byStrategy = new Map(catalog.strategies().map((s) => [s.id!, s.rules]));
  const analytics = join(content, '..', 'analytics');
  return {
    content,
    rules: await contentRulePaths(content),
    placeholders: contentPlaceholdersPath(content),
    strategyRules: (id: string) => byStrategy.get(id) ?? [],
    ...(existsSync(analytics) ? { analytics } : {}),
  };
}

test('every shipped scenario replays through the engine with the verdict it expects', async () => {
  const opts = await shipped();
  const report = await runValidation(opts);
  const table = formatValidationTable(report.results);
  assert.ok(report.results.length >= 20, `scenarios: ${report.results.length}`);
  const failed = report.results.filter((r) => r.verdict !== 'pass');
  assert.deepEqual(
    failed.map((r) => `${r.scenario.strategy}/${r.scenario.name}: ${r.verdict}`),
    [],
    table,
  );
  // every strategy has both kinds, and every positive saw events and findings
  for (const id of ['ADS-0001', 'ADS-0002', 'ADS-0003', 'ADS-0004', 'ADS-0005']) {
    const mine = report.results.filter((r) => r.scenario.strategy === id);
    assert.ok(
      mine.some((r) => r.scenario.kind === 'positive'),
      id,
    );
    assert.ok(
      mine.some((r) => r.scenario.kind === 'benign'),
      id,
    );
  }
  for (const r of report.results) assert.ok(r.events > 0, `${r.scenario.name} read no events`);
  assert.equal(report.diagnostics.filter((d) => d.severity === 'error').length, 0);
});

test('the same telemetry judged as benign is a false alarm; a positive whose rule does not fire is a miss', async () => {
  const opts = await shipped();
  const dir = await mkdtemp(join(tmpdir(), 'replay-'));
  try {
    // The log-driver-none recording, declared benign for ADS-0002: the strategy's rules fire on it.
    const src = join(opts.content, 'ads-0002-container-monitoring-evasion', 'scenarios');
    const s = join(dir, 'ads-0002-x', 'scenarios');
    await mkdir(s, { recursive: true });
    for (const f of ['log-none-unapproved.docker-events.jsonl', 'log-none-unapproved.inspect.json']) await copyFile(join(src, f), join(s, f));
    await writeFile(
      join(s, 'wrong-benign.yml'),
      'name: wrong-benign\nstrategy: ADS-0002\nkind: benign\ninputs:\n  - {file: log-none-unapproved.docker-events.jsonl, format: docker-events, inspect: log-none-unapproved.inspect.json}\nexpect: {quiet: all}\n',
    );
    await writeFile(
      join(s, 'wrong-positive.yml'),
      'name: wrong-positive\nstrategy: ADS-0002\nkind: positive\ninputs:\n  - {file: log-none-unapproved.docker-events.jsonl, inspect: log-none-unapproved.inspect.json}\nexpect: {fire: [4ddc54d6-d729-4031-91d7-bb0bef2377b8]}\n',
    );
    await writeFile(join(s, 'missing-file.yml'), 'name: missing-file\nstrategy: ADS-0002\nkind: benign\ninputs: [{file: nope.jsonl}]\nexpect: {quiet: all}\n');
    const report = await runValidation({ ...opts, content: dir });
    const v = Object.fromEntries(report.results.map((r) => [r.scenario.name, r]));
    assert.equal(v['wrong-benign']!.verdict, 'false-alarm');
    assert.ok(v['wrong-benign']!.unexpected.includes('b639f561-b3b2-41ea-a3c8-ee38511a66b3'));
    assert.equal(v['wrong-positive']!.verdict, 'miss');
    assert.deepEqual(v['wrong-positive']!.missing, ['4ddc54d6-d729-4031-91d7-bb0bef2377b8']);
    // a benign scenario that read nothing proves nothing
    assert.equal(v['missing-file']!.verdict, 'error');
    assert.match(formatValidationTable(report.results), /FALSE-ALARM/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('judge: benign "all" means every rule of the strategy', () => {
  const { scenario } = parseScenario('name: b\nstrategy: ADS-0001\nkind: benign\ninputs: [{file: x}]\nexpect: {quiet: all}\n', '/tmp/b.yml');
  const r = judge(scenario!, 3, new Map([['r2', 1]]), [], () => ['r1', 'r2']);
  assert.equal(r.verdict, 'false-alarm');
  const ok = judge(scenario!, 3, new Map([['other', 1]]), [], () => ['r1', 'r2']);
  assert.equal(ok.verdict, 'pass');
});

test('scenario documents with mistakes are refused with a reason', () => {
  const bad = [
    ['name: a\nstrategy: ADS-1\nkind: positive\ninputs: [{file: x}]\nexpect: {fire: [r]}\n', /ADS id/],
    ['name: a\nstrategy: ADS-0001\nkind: maybe\ninputs: [{file: x}]\n', /positive or benign/],
    ['name: a\nstrategy: ADS-0001\nkind: positive\ninputs: [{file: x}]\n', /expect.fire/],
    ['name: a\nstrategy: ADS-0001\nkind: benign\ninputs: [{file: x, format: pcap}]\nexpect: {quiet: all}\n', /format "pcap"/],
    ['name: a\nstrategy: ADS-0001\nkind: benign\ninputs: []\nexpect: {quiet: all}\n', /inputs/],
    ['name: [a\n', /./],
  ] as const;
  for (const [text, re] of bad) {
    const r = parseScenario(text, '/tmp/s.yml');
    assert.equal(r.scenario, undefined, text);
    assert.match(r.diagnostics[0]!.message, re);
  }
  const good = parseScenario(
    'name: a\nstrategy: ADS-0001\nkind: positive\ninputs: [{file: t.jsonl, format: auditd, inspect: i.json}]\nexpect: {fire: [r]}\n',
    '/x/s/a.yml',
  );
  assert.deepEqual(good.scenario!.inputs, [{ file: '/x/s/t.jsonl', format: 'auditd', inspect: '/x/s/i.json' }]);
});
