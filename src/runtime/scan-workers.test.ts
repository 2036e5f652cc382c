// scan --workers against --workers 1: the compiled CLI, real worker threads, batches small enough
// that a correlation's members land in different batches and threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const RULES = `
title: Shell spawned in a container
id: 5a1e0000-0000-4000-8000-000000000001
name: container_shell
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.executable|endswith: [/sh, /bash]
    container.id|exists: true
  condition: selection
level: medium
---
title: Discovery command
id: 5a1e0000-0000-4000-8000-000000000002
name: discovery
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.name: [id, whoami, uname]
  condition: selection
level: low
---
title: Repeated shells in one container
id: 5a1e0000-0000-4000-8000-000000000003
level: high
generate: true
correlation:
  type: event_count
  rules: [container_shell]
  group-by: [container.id]
  timespan: 1m
  condition: { gte: 2 }
---
title: Shell then discovery in one container
id: 5a1e0000-0000-4000-8000-000000000004
level: high
correlation:
  type: temporal_ordered
  rules: [container_shell, discovery]
  group-by: [container.id]
  timespan: 5m
`;

function event(sec: number, exe: string, container: string): string {
  return JSON.stringify({
    '@timestamp': new Date(Date.parse('2026-02-01T08:00:00Z') + sec * 1000).toISOString(),
    event: { category: ['process'], type: ['start'] },
    stowaway: { source: 'test', logsource: { product: 'linux', category: 'process_creation' } },
    container: { id: container },
    process: { executable: exe, name: exe.split('/').pop() },
  });
}

function scan(dir: string, input: string, workers: number, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, 'scan', '--rules', join(dir, 'rules.yml'), '--input', input, '--workers', String(workers)], {
    encoding: 'utf8',
    env: { ...process.env, STOWAWAY_CACHE_DIR: join(dir, 'cache'), STOWAWAY_SCAN_BATCH_LINES: '3', ...env },
  });
  const findings = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { rule: { id: string }; kind: string; group?: Record<string, string>; events: { stowaway: { origin: string } }[] });
  // Diagnostics and counts, without the timings.
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !/rule cache:|--workers:/.test(l))
    .map((l) => l.replace(/, [\d.]+ s$/, ''))
    .join('\n');
  return { code: r.status, out: r.stdout, err: r.stderr, stderr, findings };
}

test('scan --workers: findings identical to one thread, correlations across batches fire once', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-workers-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), RULES);
    // Batches of 3 lines: the two shells of abc are in batches 1 and 3, its discovery in batch 4.
    const lines = [
      event(0, '/usr/bin/ls', 'abc'),
      event(1, '/bin/sh', 'abc'),
      event(2, '/usr/bin/ls', 'def'),
      event(3, '/usr/bin/ls', 'abc'),
      '{"@timestamp": broken',
      '',
      event(7, '/bin/bash', 'abc'),
      event(8, '/bin/sh', 'def'),
      event(9, '/usr/bin/cat', 'abc'),
      event(10, '/usr/bin/id', 'abc'),
      event(11, '/usr/bin/whoami', 'zzz'),
      ...Array.from({ length: 20 }, (_, i) => event(20 + i, i % 5 === 0 ? '/bin/sh' : '/usr/bin/ls', `c${i % 3}`)),
    ];
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, lines.join('\n') + '\n');
    const one = scan(dir, input, 1);
    assert.equal(one.code, 0, one.err);
    const repeated = one.findings.filter((f) => f.rule.id.endsWith('03') && f.group?.['container.id'] === 'abc');
    assert.equal(repeated.length, 1, 'the event_count correlation fires once for abc');
    assert.deepEqual(
      repeated[0]!.events.map((e) => e.stowaway.origin),
      [`${input}:2`, `${input}:7`],
    );
    assert.equal(one.findings.filter((f) => f.rule.id.endsWith('04')).length, 1, 'shell then discovery in abc, once');
    assert.equal(one.findings.filter((f) => f.rule.id.endsWith('02')).length, 0, 'discovery only feeds a correlation: no findings of its own');
    for (const workers of [2, 3]) {
      const many = scan(dir, input, workers);
      assert.equal(many.code, 0, many.err);
      assert.equal(many.out, one.out, `--workers ${workers}: stdout identical`);
      assert.equal(many.stderr, one.stderr, `--workers ${workers}: diagnostics and counts identical`);
    }
    assert.match(one.err, /error\[bad-json\] .*events\.ndjson:5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --workers: inputs that cannot be split are read by one thread, saying so; a bad count is refused', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-workers-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), RULES);
    // A JSON array spanning lines cannot be cut at line boundaries.
    const input = join(dir, 'events.json');
    writeFileSync(input, '[\n' + [event(0, '/bin/sh', 'abc'), event(5, '/bin/sh', 'abc')].join(',\n') + '\n]\n');
    const one = scan(dir, input, 1);
    const two = scan(dir, input, 2);
    assert.equal(two.code, 0, two.err);
    assert.match(two.err, /--workers: .*events\.json: a JSON document spanning lines; read by one thread/);
    assert.equal(two.out, one.out);
    assert.equal(one.findings.length, 3);
    const bad = scan(dir, input, 0);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--workers "0" is not a whole number from 1 to 64/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
