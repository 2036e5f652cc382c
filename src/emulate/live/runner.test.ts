import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencyFrom, runLive } from './runner.js';
import { formatLiveReport } from './report.js';
import { addingRules, withKey } from './pipeline.js';

test('latency is timed from the step that was running when the detected event happened', () => {
  const starts = [1000, 2000, 5000];
  // Event at 2500 (during step 2), detection arrives at 5200 after step 3 began: 5200 - 2000.
  assert.equal(latencyFrom(starts, { time: new Date(2500).toISOString(), received_ms: 5200 }), 3200);
  // Docker stamps the create a few ms before bash has even recorded the step start.
  assert.equal(latencyFrom(starts, { time: new Date(1990).toISOString(), received_ms: 2100 }), 100);
  // Unreadable event time: the latest step started before arrival.
  assert.equal(latencyFrom(starts, { time: 'garbage', received_ms: 5300 }), 300);
});

test('a run with nothing selected says so instead of passing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowaway-live-'));
  try {
    await mkdir(join(dir, 'strategies', 'ads-9999-x'), { recursive: true });
    await writeFile(join(dir, 'strategies', 'ads-9999-x', 'emulation.yml'), 'strategy: ADS-9999\nscenarios:\n  - id: bad\n    kind: positive\n    steps: []\n');
    const report = await runLive({ content: dir });
    assert.equal(report.ok, false);
    assert.match(report.fatal ?? '', /no emulation scenarios selected/);
    assert.equal(report.diagnostics[0]?.code, 'emulation-scenario');
    assert.match(formatLiveReport(report), /could not run: no emulation scenarios selected/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("only rule-adding audit lines are applied, each under the run's own key", () => {
  const rules = [
    ['-D'],
    ['-b', '8192'],
    ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-k', 'stowaway-exec'],
    ['-w', '/etc/docker/', '-p', 'wa', '-k', 'k'],
    ['-e', '1'],
  ];
  assert.deepEqual(
    addingRules(rules).map((r) => r[0]),
    ['-a', '-w'],
  );
  assert.deepEqual(withKey(rules[2]!, 'run'), ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve', '-k', 'run']);
  assert.deepEqual(withKey(['-a', 'always,exit', '-S', 'mount', '-F', 'key=old'], 'run'), ['-a', 'always,exit', '-S', 'mount', '-F', 'key=run']);
  assert.deepEqual(withKey(['-w', '/etc/audit/', '-p', 'wa'], 'run'), ['-w', '/etc/audit/', '-p', 'wa', '-k', 'run']);
  assert.deepEqual(rules[2]!.at(-1), 'stowaway-exec', 'the shipped rule itself is not changed');
});

test('the report says which network the run created, where the fixtures listened, and whether it is gone', () => {
  const base = {
    run_id: 'abc123',
    started: '',
    finished: '',
    rows: [],
    sources: [],
    audit_rules: { installed: 0, removed: false },
    rules_loaded: 0,
    diagnostics: [],
    latency: { count: 0 },
    totals: { pass: 0, fail: 0, error: 0 },
    ok: false,
  };
  const made = formatLiveReport({ ...base, network: { name: 'stowaway-emu-net-abc123', subnet: '172.18.0.0/16', gateway: '172.18.0.1', removed: true } });
  assert.match(made, /run network: stowaway-emu-net-abc123 172\.18\.0\.0\/16, fixtures on 172\.18\.0\.1, removed after the run/);
  const left = formatLiveReport({
    ...base,
    network: { name: 'n', subnet: '10.0.0.0/24', gateway: '10.0.0.1', removed: false, error: 'network n: has active endpoints' },
  });
  assert.match(left, /NOT removed \(network n: has active endpoints\)/);
  const refused = formatLiveReport({ ...base, network: { name: 'n', removed: true, error: 'plugin "bridge" not found' } });
  assert.match(refused, /run network: n could not be created: plugin "bridge" not found/);
  assert.doesNotMatch(formatLiveReport(base), /run network/, 'no line when no scenario needed it');
});
