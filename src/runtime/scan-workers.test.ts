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
---
title: File listing (no correlation reads it; with workers its events reach the engine as their time)
id: 5a1e0000-0000-4000-8000-000000000005
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.name: [ls, cat]
  condition: selection
level: low
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

function scan(dir: string, input: string, workers: number, env: Record<string, string> = {}, args: string[] = []) {
  const r = spawnSync(process.execPath, [MAIN, 'scan', '--rules', join(dir, 'rules.yml'), '--input', input, '--workers', String(workers), ...args], {
    encoding: 'utf8',
    env: { ...process.env, STOWAWAY_CACHE_DIR: join(dir, 'cache'), STOWAWAY_SCAN_BATCH_LINES: '3', STOWAWAY_SCAN_WAIT_WORKERS: '1', ...env },
  });
  const findings = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { rule: { id: string }; kind: string; group?: Record<string, string>; events: { stowaway: { origin: string } }[] });
  // Diagnostics and counts, without the timings.
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !/rule cache:|--workers:|^\{"engine"/.test(l))
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
    // A container name beyond ASCII: the worker's byte offsets are not its string offsets.
    const lines = [
      event(0, '/usr/bin/ls', 'abc'),
      event(1, '/bin/sh', 'abc'),
      event(2, '/usr/bin/ls', 'déf ✓'),
      event(3, '/usr/bin/ls', 'abc'),
      '{"@timestamp": broken',
      '',
      event(7, '/bin/bash', 'abc'),
      event(7, '/usr/bin/ls', 'déf ✓'),
      event(8, '/bin/sh', 'déf ✓'),
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
    const listing = one.findings.filter((f) => f.rule.id.endsWith('05'));
    assert.equal(listing.length, 21, 'ls and cat: 5 in the first lines, 16 in the rest');
    assert.equal(listing[0]!.events[0]!.stowaway.origin, `${input}:1`);
    for (const [workers, lines] of [
      [2, '3'],
      [3, '3'],
      [2, '4'],
      [2, '8'],
    ] as const) {
      const many = scan(dir, input, workers, { STOWAWAY_SCAN_BATCH_LINES: lines });
      assert.equal(many.code, 0, many.err);
      assert.equal(many.out, one.out, `--workers ${workers}, ${lines} lines a block: stdout identical`);
      assert.equal(many.stderr, one.stderr, `--workers ${workers}, ${lines} lines a block: diagnostics and counts identical`);
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
    // Nothing to cut at all: no worker thread is started (no per-thread block counts), and it says so.
    const events = [event(0, '/bin/sh', 'abc'), event(5, '/bin/sh', 'abc')].join('\n') + '\n';
    const piped = (workers: number, args: string[] = []) =>
      spawnSync(process.execPath, [MAIN, 'scan', '--rules', join(dir, 'rules.yml'), '--input', '-', '--workers', String(workers), '--stats', ...args], {
        encoding: 'utf8',
        input: events,
        env: { ...process.env, STOWAWAY_CACHE_DIR: join(dir, 'cache') },
      });
    for (const args of [[], ['--input-format', 'ecs']]) {
      const alone = piped(1, args);
      const asked = piped(2, args);
      assert.equal(asked.status, 0, asked.stderr);
      assert.match(asked.stderr, /scan: --workers: standard input is read by one thread; matching on the main thread alone/);
      assert.equal(asked.stdout, alone.stdout);
      assert.equal(alone.stdout.split('\n').filter(Boolean).length, 3);
      const stats = JSON.parse(asked.stderr.split('\n').find((l) => l.startsWith('{"engine"'))!) as { blocks?: unknown };
      assert.equal(stats.blocks, undefined, 'no worker pool for standard input');
    }
    const audit = scan(dir, input, 2, {}, ['--input-format', 'auditd', '--stats']);
    assert.match(audit.err, /scan: --workers: -f auditd records depend on the lines before them; matching on the main thread alone/);
    assert.equal((JSON.parse(audit.err.split('\n').find((l) => l.startsWith('{"engine"'))!) as { blocks?: unknown }).blocks, undefined);
    const bad = scan(dir, input, 0);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--workers "0" is not a whole number from 1 to 64/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --workers: byte batches split into exactly the lines and line numbers one splitter over the file yields', async () => {
  const { fileBatches, batchLines } = await import('./scan-workers.js');
  const { LineSplitter } = await import('../sources/lines.js');
  const { readFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-batches-'));
  try {
    const text = [
      '{"a":1}\r\n',
      '\n',
      'héllo wörld ✓ 𝄞\n',
      'lone\rcarriage\r\n',
      'x'.repeat(40) + '\n', // over a maxLine of 30
      '   \n',
      '{"b":"ünïcödé"}\r',
      '\n',
      'last line without a feed',
    ].join('');
    const maxLine = 30;
    // The second has a line over three times the limit in bytes: the text path takes the rest.
    for (const [name, content] of [
      ['short', text],
      ['long', text + '\n' + 'y'.repeat(200) + '\nafter\n'],
    ] as const) {
      const file = join(dir, `${name}.ndjson`);
      writeFileSync(file, content);
      let rests = 0;
      const whole = new LineSplitter(maxLine);
      const expected = [...whole.push(readFileSync(file)), ...whole.end()];
      for (const block of [3, 7, 16, 64, 4096])
        for (const per of [0, 1, 3]) {
          const got: string[] = [];
          let rest = false;
          for await (const b of fileBatches(file, maxLine, per, block)) {
            if ('rest' in b) {
              // The text path takes over: what is held, then the file from the offset after it.
              const split = new LineSplitter(maxLine);
              got.push(...split.push(Buffer.from(b.rest)), ...split.push(readFileSync(file).subarray(b.at)), ...split.end());
              rest = true;
              break;
            }
            const lines = batchLines(Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.length), maxLine);
            // A batch's line count (what the next batch's first line number comes from) is its split's.
            if (b.lines > 0 || lines.length === 0) assert.equal(b.lines, lines.length, `block ${block}, ${per} lines: count`);
            got.push(...lines);
          }
          assert.deepEqual(got, expected, `${name}: block ${block}, ${per} lines per batch${rest ? ' (text path)' : ''}`);
          if (rest) rests++;
        }
      assert.equal(rests > 0, name === 'long', `${name}: the text path is taken only for the long line`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --workers: findings workers write themselves (no correlation reads their rules) are byte-identical, bad lines counted at their file:line', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-workers-'));
  try {
    // The rules without the correlations: every finding is written by a worker.
    writeFileSync(
      join(dir, 'rules.yml'),
      RULES.split('\n---\n')
        .filter((d) => !d.includes('correlation:'))
        .join('\n---\n'),
    );
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      const exe = ['/bin/sh', '/usr/bin/ls', '/usr/bin/id', '/usr/bin/true', '/usr/bin/cat'][i % 5]!;
      const line = event(i, exe, i % 7 === 0 ? 'ünï ✓' : `c${i % 4}`);
      // A shell named ls: two rules match it, two lines carry the same event text.
      lines.push(i % 10 === 0 ? line.replace('"name":"sh"', '"name":"ls"') : line);
      if (i === 10) lines.push('{"@timestamp": broken');
      if (i === 31) lines.push('[1, 2');
    }
    const input = join(dir, 'events.ndjson');
    // CRLF endings: the worker splits them as one thread does.
    writeFileSync(input, lines.join('\r\n') + '\r\n');
    const run = (workers: number) => {
      const r = scan(dir, input, workers, { STOWAWAY_SCAN_BATCH_LINES: '4' }, ['--stats']);
      const stats = r.err.split('\n').find((l) => l.startsWith('{"engine"'));
      const parsed = stats ? (JSON.parse(stats) as { engine: unknown; blocks?: { main: number; workers: number[] } }) : undefined;
      return { ...r, engine: parsed?.engine, blocks: parsed?.blocks };
    };
    const one = run(1);
    assert.equal(one.code, 0, one.err);
    const count = (suffix: string) => one.findings.filter((f) => f.rule.id.endsWith(suffix)).length;
    assert.deepEqual([count('01'), count('02'), count('05')], [12, 12, 30], 'shells, id, and ls/cat with the 6 shells named ls');
    assert.equal(one.findings.filter((f, i) => i > 0 && one.findings[i - 1]!.events[0]!.stowaway.origin === f.events[0]!.stowaway.origin).length, 6);
    assert.match(one.err, /events\.ndjson:12\b/, 'the first bad line is line 12');
    assert.match(one.err, /events\.ndjson:34\b/, 'the second bad line is line 34');
    assert.match(one.err, /2 input errors/);
    assert.ok(one.engine, 'the --stats line');
    for (const workers of [2, 3]) {
      const many = run(workers);
      assert.equal(many.code, 0, many.err);
      assert.equal(many.out, one.out, `--workers ${workers}: stdout identical`);
      assert.equal(many.stderr, one.stderr, `--workers ${workers}: diagnostics and counts identical`);
      assert.deepEqual(many.engine, one.engine, `--workers ${workers}: engine counters identical (findings per rule, matched, watermark)`);
      // Both kinds of thread matched blocks: the main thread and every worker.
      assert.ok(many.blocks && many.blocks.main > 0 && many.blocks.workers.length === workers - 1, JSON.stringify(many.blocks));
      assert.ok(
        many.blocks.workers.every((n) => n > 0),
        JSON.stringify(many.blocks),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
