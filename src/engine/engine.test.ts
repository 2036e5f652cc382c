// The runtime over rules from the real loader: every correlation type written as YAML
// beside its base rules, parsed by loadRules, compiled, and run on events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import type { Detector } from './types.js';
import { createEngine, tickWatermark, type EngineOptions } from './engine.js';
import { loadEngineRules } from './rules.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');

const BASE = `
title: Package tool run in a container
id: 0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0001
name: pkg_tool
logsource: { product: stowaway-test, category: process_creation }
detection:
  selection:
    process.name: [apk, apt-get, yum]
  condition: selection
level: low
---
title: Download tool run in a container
id: 0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0002
name: download_tool
logsource: { product: stowaway-test, category: process_creation }
detection:
  selection:
    process.name: [curl, wget]
  condition: selection
level: low
---
title: Binary run from /tmp
id: 0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0003
name: tmp_exec
logsource: { product: stowaway-test, category: process_creation }
detection:
  selection:
    process.executable|startswith: /tmp/
  condition: selection
level: medium
---
title: Outbound transfer
id: 0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0004
name: transfer
logsource: { product: stowaway-test, category: network_connection }
detection:
  selection:
    network.direction: outbound
  condition: selection
level: informational
`;

function correlation(body: string, extra = ''): string {
  return `${BASE}\n---\ntitle: correlation under test\nid: corr\nlevel: high\n${extra}correlation:\n${body.replace(/^/gm, '  ')}\n`;
}

async function runYaml(yaml: string, events: StowawayEvent[], opts: Partial<EngineOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-engine-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), yaml);
    const r = await loadEngineRules({ rules: [dir] });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const engine = createEngine({ ruleset: r.ruleset, correlations: r.correlations, knownRules: r.knownRules, fieldPaths: r.fieldPaths, ...opts });
    assert.deepEqual(engine.diagnostics, []);
    const findings: Finding[] = [];
    for (const e of events) findings.push(...engine.process(e));
    findings.push(...engine.flush());
    return { findings, corr: findings.filter((f) => f.rule.kind === 'correlation'), stats: engine.stats() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function proc(sec: number, container: string, name: string, executable = `/usr/bin/${name}`, user = 'root'): StowawayEvent {
  return {
    '@timestamp': new Date(T0 + sec * 1000).toISOString(),
    event: { category: ['process'], type: ['start'] },
    stowaway: { source: 'test', logsource: { product: 'stowaway-test', category: 'process_creation' } },
    container: { id: container },
    process: { name, executable },
    user: { name: user },
  };
}

function net(sec: number, container: string, bytes: number, ip = '203.0.113.9'): StowawayEvent {
  return {
    '@timestamp': new Date(T0 + sec * 1000).toISOString(),
    event: { category: ['network'] },
    stowaway: { source: 'test', logsource: { product: 'stowaway-test', category: 'network_connection' } },
    container: { id: container },
    network: { direction: 'outbound' },
    destination: { ip, bytes },
  };
}

test('loader → event_count, and base rules fall silent unless generate is set', async () => {
  const body = 'type: event_count\nrules: [pkg_tool]\ngroup-by: [container.id]\ntimespan: 1m\ncondition: { gte: 3 }';
  const events = [proc(0, 'c1', 'apk'), proc(10, 'c1', 'apk'), proc(20, 'c2', 'yum'), proc(59, 'c1', 'apt-get'), proc(61, 'c1', 'curl')];
  const quiet = await runYaml(correlation(body), events);
  assert.deepEqual(
    quiet.findings.map((f) => f.rule.id),
    ['corr', '0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0002'],
  );
  const c = quiet.corr[0]!;
  assert.deepEqual(c.group, { 'container.id': 'c1' });
  assert.equal(c.details?.count, 3);
  assert.equal(quiet.stats.findings_by_rule.corr, 1);

  const loud = await runYaml(correlation(body, 'generate: true\n'), events);
  assert.equal(loud.findings.filter((f) => f.rule.name === 'pkg_tool').length, 4);
  assert.deepEqual(loud.findings.find((f) => f.rule.name === 'pkg_tool')!.selections, ['selection']);
});

test('loader → value_count with out-of-order arrival inside the lateness', async () => {
  const body = 'type: value_count\nrules: [pkg_tool, download_tool]\ngroup-by: [container.id]\ntimespan: 5m\ncondition: { field: process.name, gte: 3 }';
  const sorted = [proc(0, 'c1', 'apk'), proc(5, 'c1', 'apk'), proc(10, 'c1', 'curl'), proc(15, 'c1', 'wget')];
  const shuffled = [sorted[2]!, sorted[0]!, sorted[3]!, sorted[1]!];
  const a = await runYaml(correlation(body), sorted, { lateness: '30s' });
  const b = await runYaml(correlation(body), shuffled, { lateness: '30s' });
  assert.equal(a.corr.length, 1);
  assert.deepEqual(a.corr[0]!.details?.values, ['apk', 'curl', 'wget']);
  const strip = (fs: Finding[]) => fs.map((f) => ({ ...f, rule: { ...f.rule, file: undefined } }));
  assert.deepEqual(strip(b.corr), strip(a.corr));
});

test('loader → temporal and temporal_ordered', async () => {
  const events = [proc(0, 'c1', 'chmod', '/tmp/x'), proc(30, 'c1', 'curl'), proc(40, 'c1', 'apk')];
  const any = await runYaml(correlation('type: temporal\nrules: [download_tool, tmp_exec]\ngroup-by: [container.id]\ntimespan: 1m'), events);
  assert.equal(any.corr.length, 1);
  const ordered = correlation('type: temporal_ordered\nrules: [download_tool, tmp_exec]\ngroup-by: [container.id]\ntimespan: 1m');
  assert.equal((await runYaml(ordered, events)).corr.length, 0);
  const inOrder = await runYaml(ordered, [proc(0, 'c1', 'curl'), proc(60, 'c1', 'x', '/tmp/x')]);
  assert.equal(inOrder.corr.length, 1);
  assert.equal(inOrder.corr[0]!.details?.window_end, new Date(T0 + 60_000).toISOString());
});

test('loader → value_sum, value_avg, value_percentile', async () => {
  const sum = await runYaml(
    correlation('type: value_sum\nrules: [transfer]\ngroup-by: [container.id]\ntimespan: 1h\ncondition: { field: destination.bytes, gt: 1000000 }'),
    [net(0, 'c1', 600_000), net(1, 'c2', 900_000), net(2, 'c1', 600_000)],
  );
  assert.deepEqual(
    sum.corr.map((f) => [f.group?.['container.id'], f.details?.sum]),
    [['c1', 1_200_000]],
  );
  const avg = await runYaml(
    correlation('type: value_avg\nrules: [transfer]\ngroup-by: [container.id]\ntimespan: 1h\ncondition: { field: destination.bytes, lt: 10 }'),
    [net(0, 'c1', 5), net(1, 'c1', 7)],
  );
  assert.equal(avg.corr.length, 2);
  const rare = await runYaml(
    correlation('type: value_percentile\nrules: [transfer]\ngroup-by: [container.id]\ntimespan: 1h\ncondition: { field: destination.ip, lte: 5 }'),
    [...Array.from({ length: 30 }, (_, i) => net(i, 'c1', 1, '10.0.0.1')), net(40, 'c1', 1, '198.51.100.7')],
  );
  assert.equal(rare.corr.length, 1);
  assert.equal(rare.corr[0]!.details?.value, '198.51.100.7');
});

test('loader → aliases and chaining across different rules', async () => {
  const yaml = `${BASE}
---
title: tool burst
id: burst
name: tool_burst
correlation:
  type: event_count
  rules: [pkg_tool]
  group-by: [cid]
  timespan: 1m
  condition: { gte: 2 }
  aliases:
    cid: { pkg_tool: container.id }
---
title: burst then transfer
id: outer
level: critical
correlation:
  type: temporal_ordered
  rules: [tool_burst, transfer]
  group-by: [cid]
  timespan: 5m
  aliases:
    cid: { transfer: container.id }
`;
  const { findings } = await runYaml(yaml, [proc(0, 'c1', 'apk'), proc(1, 'c1', 'apk'), net(5, 'c2', 1), net(9, 'c1', 1)]);
  assert.deepEqual(
    findings.map((f) => [f.rule.id, f.group]),
    [['outer', { cid: 'c1' }]],
  );
});

test('extra detectors see every event and are advanced by the watermark; their failures are counted', async () => {
  const seen: string[] = [];
  const marks: string[] = [];
  const analytic: Detector = {
    name: 'probe',
    process(ev) {
      seen.push(ev['@timestamp']);
      return [];
    },
    advance(wm) {
      marks.push(wm);
      return [];
    },
    stats: () => ({ seen: seen.length }),
  };
  const broken: Detector = {
    name: 'broken',
    process() {
      throw new Error('boom');
    },
  };
  const { stats } = await runYaml(BASE, [proc(0, 'c1', 'ls'), proc(10, 'c1', 'ls'), proc(5, 'c1', 'ls')], { detectors: [analytic, broken], lateness: '5s' });
  assert.equal(seen.length, 3);
  assert.deepEqual(marks, [new Date(T0 - 5000).toISOString(), new Date(T0 + 5000).toISOString(), new Date(T0 + 10_000).toISOString()]);
  assert.deepEqual(stats.detectors.probe, { seen: 3 });
  assert.equal(stats.detector_errors, 3);
  assert.equal(stats.match_errors, 0);
  assert.equal(stats.events, 3);
  assert.equal(stats.matched, 0);
});

test('loader → chained brute force on Windows taxonomy names, group-by mapped through the pipelines', async () => {
  const yaml = `
title: Password guessing then a successful logon
id: 5e0b7f1a-6c1d-4f7a-8d39-2b8f5b0c1001
level: high
correlation:
  type: temporal_ordered
  rules: [logon_failures, logon_success]
  group-by: [User]
  timespan: 10m
---
title: Several failed logons for one account
id: 5e0b7f1a-6c1d-4f7a-8d39-2b8f5b0c1002
name: logon_failures
correlation:
  type: event_count
  rules: [logon_failure]
  group-by: [User]
  timespan: 10m
  condition: { gte: 4 }
---
title: Failed logon
id: 5e0b7f1a-6c1d-4f7a-8d39-2b8f5b0c1003
name: logon_failure
logsource: { product: windows, service: security }
detection:
  selection: { EventID: [529, 4625] }
  condition: selection
---
title: Successful logon
id: 5e0b7f1a-6c1d-4f7a-8d39-2b8f5b0c1004
name: logon_success
logsource: { product: windows, service: security }
detection:
  selection: { EventID: [528, 4624] }
  condition: selection
`;
  const win = (sec: number, id: number, user: string): StowawayEvent => ({
    '@timestamp': new Date(T0 + sec * 1000).toISOString(),
    event: { code: String(id) },
    stowaway: { source: 'test', logsource: { product: 'windows', service: 'security' } },
    winlog: { event_id: id, event_data: { User: user } },
  });
  const events = [
    win(0, 4625, 'bob'),
    win(5, 4625, 'bob'),
    win(6, 4625, 'alice'),
    win(9, 4625, 'bob'),
    win(12, 4624, 'alice'),
    win(30, 4625, 'bob'),
    win(95, 4624, 'bob'),
  ];
  const { findings } = await runYaml(yaml, events);
  assert.deepEqual(
    findings.map((f) => [f.rule.title, f.group]),
    [['Password guessing then a successful logon', { User: 'bob' }]],
  );
  assert.equal(findings[0]!.events.length, 5);
});

test('a rule set that throws on an event is counted and the stream goes on', () => {
  let n = 0;
  const engine = createEngine({
    ruleset: {
      match() {
        if (n++ === 0) throw new Error('bad event');
        return [];
      },
    },
  });
  const e = (sec: number) =>
    ({ '@timestamp': new Date(T0 + sec * 1000).toISOString(), event: {}, stowaway: { source: 'test', logsource: {} } }) as StowawayEvent;
  assert.deepEqual(engine.process(e(0)), []);
  assert.deepEqual(engine.process(e(1)), []);
  assert.equal(engine.stats().match_errors, 1);
  assert.equal(engine.stats().events, 2);
  assert.deepEqual(
    engine.diagnostics.map((d) => d.code),
    ['match-error'],
  );
});

test('tickWatermark: as far as the sources are complete, at least now − lateness, never past now', () => {
  assert.equal(tickWatermark(10_000, 5_000), 5_000);
  assert.equal(tickWatermark(10_000, 5_000, undefined), 5_000);
  assert.equal(tickWatermark(10_000, 5_000, 9_800), 9_800);
  assert.equal(tickWatermark(10_000, 5_000, 1_000), 5_000, 'a lagging source waits at most the lateness');
  assert.equal(tickWatermark(10_000, 5_000, 12_000), 10_000, 'never ahead of the clock');
  assert.equal(tickWatermark(10_000, 5_000, NaN), 5_000);
});

test('finding 2: one event dated 2099 does not make the real events after it late', async () => {
  const body = 'type: event_count\nrules: [pkg_tool]\ngroup-by: [container.id]\ntimespan: 1m\ncondition: { gte: 2 }';
  const forged = { ...proc(0, 'cx', 'ls'), '@timestamp': '2099-01-01T00:00:00.000Z' };
  const events = [proc(0, 'c1', 'apk'), forged, proc(10, 'c1', 'apk'), proc(20, 'c1', 'yum')];
  const r = await runYaml(correlation(body), events);
  assert.equal(r.stats.late, 0);
  assert.equal(r.stats.time_outliers, 1);
  assert.equal(r.corr.length, 1);
  assert.equal(r.corr[0]!.details?.count, 2);
});

test('a real gap in a log is taken once several events agree on it', async () => {
  const body = 'type: event_count\nrules: [pkg_tool]\ngroup-by: [container.id]\ntimespan: 1m\ncondition: { gte: 2 }';
  const day = 86_400;
  // after the gap, events are on the new day; the old day's window closed before the new one's end
  const events = [
    proc(0, 'c1', 'apk'),
    proc(5, 'c1', 'apk'),
    proc(day, 'c2', 'apk'),
    proc(day + 1, 'c2', 'apk'),
    proc(day + 2, 'c2', 'apk'),
    proc(5, 'c3', 'apk'),
  ];
  const r = await runYaml(correlation(body), events);
  assert.equal(r.stats.time_outliers, 3);
  assert.equal(r.stats.late, 1, 'an event from before the gap, after the gap was taken, is late');
  assert.deepEqual(r.corr.map((f) => f.group?.['container.id']).sort(), ['c1', 'c2']);
});

test('passed: an event matched and written elsewhere counts and moves time as process does; correlations still fire in place', async () => {
  const body = 'type: event_count\nrules: [pkg_tool]\ngroup-by: [container.id]\ntimespan: 1m\ncondition: { gte: 2 }';
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-engine-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), correlation(body));
    const r = await loadEngineRules({ rules: [dir] });
    const build = () => createEngine({ ruleset: r.ruleset, correlations: r.correlations, knownRules: r.knownRules, fieldPaths: r.fieldPaths });
    // tmp_exec no correlation reads; the shells of c1 two minutes apart, then a late-dated ls.
    const events = [proc(0, 'c1', 'apk'), proc(5, 'c1', 'x', '/tmp/x'), proc(10, 'c1', 'yum'), proc(20, 'c2', 'ls'), proc(200, 'c3', 'y', '/tmp/y')];
    events.push({ ...proc(0, 'c4', 'ls'), '@timestamp': 'not a time' });
    const whole = build();
    const wholeOut = events.map((e) => whole.process(e).map((f) => `${f.rule.id}@${f.time}`));
    const split = build();
    const splitOut = events.map((e) => {
      const name = (e.process as { executable: string }).executable;
      if (name.startsWith('/tmp/')) {
        // As a scan worker does: the plain finding is written there, the engine takes the time.
        split.countFindings('0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0003', 1);
        return [
          `0b7d8a36-5a0e-4bb0-9a41-3f8c1c2d0003@${e['@timestamp']}`,
          ...split.passed(Date.parse(e['@timestamp']), true).map((f) => `${f.rule.id}@${f.time}`),
        ];
      }
      if (name.endsWith('/ls')) return split.passed(Date.parse(e['@timestamp']), false).map((f) => `${f.rule.id}@${f.time}`);
      return split.process(e).map((f) => `${f.rule.id}@${f.time}`);
    });
    assert.deepEqual(splitOut, wholeOut);
    assert.ok(
      wholeOut.flat().some((f) => f.startsWith('corr@')),
      'the correlation fired',
    );
    assert.deepEqual(split.flush(), whole.flush());
    assert.deepEqual(split.stats(), whole.stats());
    assert.equal(whole.stats().bad_time, 1);
    assert.equal(whole.stats().matched, 4);
    const watched = createEngine({ ruleset: r.ruleset, detectors: [{ name: 'd', process: () => [] }] });
    assert.throws(() => watched.passed(0, false), /detectors must see every event/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
