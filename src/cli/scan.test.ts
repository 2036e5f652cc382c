// End to end: the compiled CLI, real files, a bad input line in the middle.
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
id: 7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0001
name: container_shell
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.executable|endswith: [/sh, /bash]
    container.id|exists: true
  filter:
    process.parent.name: containerd-shim
  condition: selection and not filter
level: medium
tags: [attack.execution, attack.t1059.004]
---
title: Repeated shells in one container
id: 7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0002
level: high
generate: true
correlation:
  type: event_count
  rules: [container_shell]
  group-by: [container.id]
  timespan: 1m
  condition: { gte: 2 }
`;

function event(sec: number, exe: string, container = 'abc123'): string {
  return JSON.stringify({
    '@timestamp': new Date(Date.parse('2026-02-01T08:00:00Z') + sec * 1000).toISOString(),
    event: { category: ['process'], type: ['start'] },
    stowaway: { source: 'test', logsource: { product: 'linux', category: 'process_creation' } },
    container: { id: container },
    process: { executable: exe, parent: { name: 'runc' } },
  });
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-scan-'));
  writeFileSync(join(dir, 'rules.yml'), RULES);
  const lines = [event(0, '/bin/sh'), event(1, '/usr/bin/id'), '{"@timestamp": broken', event(20, '/bin/bash'), event(30, '/bin/bash', 'other')];
  writeFileSync(join(dir, 'events.ndjson'), lines.join('\n') + '\n');
  return dir;
}

function scan(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [MAIN, 'scan', ...args], { encoding: 'utf8', input });
  return {
    code: r.status,
    out: r.stdout,
    err: r.stderr,
    findings: r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>),
  };
}

test('scan prints one JSON finding per line, counts the bad line and keeps going', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = setup();
  try {
    const r = scan(['--rules', join(dir, 'rules.yml'), '--input', join(dir, 'events.ndjson')]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.findings.map((f) => [f.rule.id, f.kind]),
      [
        ['7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0001', 'sigma'],
        ['7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0001', 'sigma'],
        ['7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0002', 'correlation'],
        ['7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0001', 'sigma'],
      ],
    );
    const [sigma, , corr] = r.findings;
    assert.equal(sigma!.rule.title, 'Shell spawned in a container');
    assert.equal(sigma!.rule.level, 'medium');
    assert.deepEqual(sigma!.rule.tags, ['attack.execution', 'attack.t1059.004']);
    assert.deepEqual(sigma!.selections, ['selection']);
    assert.equal(sigma!.events.length, 1);
    assert.equal(sigma!.events[0].process.executable, '/bin/sh');
    assert.deepEqual(corr!.group, { 'container.id': 'abc123' });
    assert.equal(corr!.details.count, 2);
    assert.equal(corr!.events.length, 2);
    assert.match(r.err, /error\[bad-json\] .*events\.ndjson:3/);
    assert.match(r.err, /1 rule files: 1 of 1 rules compiled, 1 of 1 correlations running; 0 errors, 0 warnings/);
    assert.match(r.err, /scan: done: 4 events, 3 matched, 4 findings, 1 input errors \(bad-json=1\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan reads stdin, honours --lateness, and fails clearly without rules', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = setup();
  try {
    // The second shell arrives 20 s late: with no lateness it is dropped from the correlation.
    const stdin = [event(20, '/bin/bash'), event(0, '/bin/sh')].join('\n') + '\n';
    const strict = scan(['--rules', dir, '--input', '-'], stdin);
    assert.equal(strict.code, 0, strict.err);
    assert.equal(strict.findings.filter((f) => f.kind === 'correlation').length, 0);
    assert.match(strict.err, /1 late/);
    const tolerant = scan(['--rules', dir, '--input', '-', '--lateness', '30s', '--stats'], stdin);
    assert.equal(tolerant.findings.filter((f) => f.kind === 'correlation').length, 1);
    assert.match(tolerant.err, /0 late/);
    const stats = JSON.parse(tolerant.err.trim().split('\n').pop()!);
    assert.equal(stats.engine.events, 2);
    assert.equal(stats.engine.lateness_ms, 30_000);
    assert.equal(stats.engine.correlations.rules['7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0002'].findings, 1);

    writeFileSync(join(dir, 'bad.yml'), 'title: [unclosed\n');
    const none = scan(['--rules', join(dir, 'bad.yml'), '--input', join(dir, 'events.ndjson')]);
    assert.equal(none.code, 2);
    assert.match(none.err, /yaml-syntax/);
    assert.match(none.err, /no rule could be loaded/);
    assert.equal(none.out, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan applies --pipeline field mappings and --placeholders values', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = setup();
  try {
    writeFileSync(
      join(dir, 'mine.yml'),
      `title: Shell in a suspect container
id: 7f9e0c4e-1f55-4a8e-b1f3-5a0f0c9d0003
logsource: { product: linux, category: process_creation }
detection:
  selection:
    ShellPath|endswith: /bash
    container.id|expand: '%suspect%'
  condition: selection
level: high
`,
    );
    writeFileSync(
      join(dir, 'pipe.yml'),
      'name: site\npriority: 10\ntransformations:\n  - id: shell\n    type: field_name_mapping\n    mapping:\n      ShellPath: process.executable\n',
    );
    writeFileSync(join(dir, 'ph.yml'), 'suspect: [other, elsewhere]\n');
    const base = ['--rules', join(dir, 'mine.yml'), '--input', join(dir, 'events.ndjson')];
    const r = scan([...base, '--pipeline', join(dir, 'pipe.yml'), '--placeholders', join(dir, 'ph.yml')]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.findings.map((f) => f.events[0].container.id),
      ['other'],
    );
    // Without the placeholder values the rule is refused, loudly, and nothing can run.
    const refused = scan([...base, '--pipeline', join(dir, 'pipe.yml')]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /unresolved-placeholder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`finding 7: scan exits 3 when input was lost or nothing was read, and still reads past a bad line`, (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = setup();
  try {
    const deep = `{"@timestamp":"2026-02-01T08:00:00Z","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    writeFileSync(join(dir, 'deep.ndjson'), [event(0, '/bin/sh'), deep, event(20, '/bin/bash')].join('\n') + '\n');
    const lost = scan(['--rules', join(dir, 'rules.yml'), '--input', join(dir, 'deep.ndjson')]);
    assert.equal(lost.code, 3, lost.err);
    assert.match(lost.err, /too-deep/);
    assert.match(lost.err, /scan: done: 2 events/);

    writeFileSync(join(dir, 'refused.ndjson'), '{"a":1}\nnot json\n');
    const refused = scan(['--rules', join(dir, 'rules.yml'), '--input', join(dir, 'refused.ndjson'), '--format', 'ecs']);
    assert.equal(refused.code, 3, refused.err);
    assert.match(refused.err, /every record refused/);

    writeFileSync(join(dir, 'empty.ndjson'), '');
    const empty = scan(['--rules', join(dir, 'rules.yml'), '--input', join(dir, 'empty.ndjson'), '--format', 'ecs']);
    assert.equal(empty.code, 3, empty.err);
    assert.match(empty.err, /no event was read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 15: exit codes that do not lie: missing input 4, unknown format 2, every line refused 3, --fail-on-match 1', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const dir = setup();
  try {
    const rules = ['--rules', join(dir, 'rules.yml')];
    const nope = join(dir, 'nope.ndjson');
    // A missing file is named; the other inputs are still scanned and their findings printed.
    const missing = scan([...rules, '--input', nope, join(dir, 'events.ndjson')]);
    assert.equal(missing.code, 4, missing.err);
    assert.match(missing.err, new RegExp(`input file not found: ${nope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(missing.findings.length > 0);

    const bogus = scan([...rules, '--input', join(dir, 'events.ndjson'), '-f', 'bogus']);
    assert.equal(bogus.code, 2, bogus.err);
    assert.match(bogus.err, /--input-format 'bogus' is not a format; valid: ecs, docker-events, auditd, k8s-audit/);
    assert.equal(bogus.out, '');

    // A wrong format: the ECS events read as audit records are all refused.
    const wrong = scan([...rules, '--input', join(dir, 'events.ndjson'), '--input-format', 'auditd']);
    assert.equal(wrong.code, 3, wrong.err);
    assert.match(wrong.err, /events\.ndjson: every record refused/);

    const plain = scan([...rules, '--input', join(dir, 'events.ndjson'), '--input-format', 'ecs']);
    assert.equal(plain.code, 0, plain.err);
    assert.ok(plain.findings.length > 0);
    const ci = scan([...rules, '--input', join(dir, 'events.ndjson'), '--fail-on-match']);
    assert.equal(ci.code, 1, ci.err);
    assert.deepEqual(ci.findings, plain.findings);
    writeFileSync(join(dir, 'quiet.ndjson'), event(0, '/usr/bin/id') + '\n');
    assert.equal(scan([...rules, '--input', join(dir, 'quiet.ndjson'), '--fail-on-match']).code, 0);

    // A usage error is one line and a pointer to --help, not the whole help.
    const usage = scan(['--rules', join(dir, 'rules.yml')]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /required option '-i, --input <file\.\.\.>' not specified\n\(see 'stowaway <command> --help'\)\n$/);
    assert.doesNotMatch(usage.err, /Options:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const OMIGOD = join(
  fileURLToPath(new URL('../../../shared/sigma/rules/linux/process_creation/', import.meta.url)),
  'proc_creation_lnx_omigod_scx_runasprovider_executescript.yml',
);

test('flat Sysmon-for-Linux JSON is detected and named; a SigmaHQ rule testing LogonId fires on it and on the XML', (t) => {
  if (!existsSync(MAIN) || !existsSync(OMIGOD)) {
    t.skip(`SKIPPED LOUDLY: needs ${MAIN} (npm run build) and ${OMIGOD} (../shared)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-scan-flat-'));
  try {
    // the OMIGOD exploit's script run by the SCX agent as root (LogonId 0), and the same
    // command from a user session (LogonId 1000): only the first is the rule's
    const base = {
      EventID: 1,
      Provider_Name: 'Linux-Sysmon',
      Channel: 'Linux-Sysmon/Operational',
      Computer: 'vm-1',
      SystemTime: '2024-03-05T10:30:00.121734000Z',
      UtcTime: '2024-03-05 10:30:00.120',
      ProcessId: 7001,
      Image: '/bin/sh',
      CommandLine: '/bin/sh /etc/opt/microsoft/scx/conf/tmpdir/scx1234 x',
      CurrentDirectory: '/var/opt/microsoft/scx/tmp',
      User: 'root',
      LogonId: 0,
      ParentImage: '/opt/omi/bin/omiagent',
      ParentProcessId: 6990,
    };
    const flat = join(dir, 'sysmon.json');
    writeFileSync(flat, [base, { ...base, LogonId: 1000 }].map((o) => JSON.stringify(o)).join('\n') + '\n');
    const r = scan(['--rules', OMIGOD, '--input', flat]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /input: .*sysmon\.json: flat Sysmon for Linux JSON \(auto-detected from line 1; as -f winlog\)/);
    assert.match(r.err, /scan: done: 2 events, 1 matched, 1 findings, 0 input errors/);
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0]!.rule.id, '6eea1bf6-f8d2-488a-a742-e6ef6c1b67db');
    assert.equal(r.findings[0]!.events[0].winlog.event_data.LogonId, '0');

    const data = (o: Record<string, unknown>) =>
      Object.entries(o)
        .filter(([k]) => !['EventID', 'Provider_Name', 'Channel', 'Computer', 'SystemTime'].includes(k))
        .map(([k, v]) => `<Data Name="${k}">${String(v)}</Data>`)
        .join('');
    const xml = join(dir, 'syslog.log');
    writeFileSync(
      xml,
      [base, { ...base, LogonId: 1000 }]
        .map(
          (o) =>
            `Mar  5 10:30:00 vm-1 sysmon: <Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EventID><TimeCreated SystemTime="${o.SystemTime}"/><Channel>Linux-Sysmon/Operational</Channel><Computer>vm-1</Computer></System><EventData>${data(o)}</EventData></Event>`,
        )
        .join('\n') + '\n',
    );
    const x = scan(['--rules', OMIGOD, '--input', xml]);
    assert.equal(x.code, 0, x.err);
    assert.match(x.err, /Sysmon for Linux XML \(auto-detected from line 1; as -f sysmon\)/);
    assert.deepEqual(
      x.findings.map((f) => f.rule.id),
      ['6eea1bf6-f8d2-488a-a742-e6ef6c1b67db'],
    );
    // told the format, nothing is guessed and nothing is said about it
    const told = scan(['--rules', OMIGOD, '--input', flat, '-f', 'sysmon']);
    assert.equal(told.findings.length, 1);
    assert.doesNotMatch(told.err, /auto-detected/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 15: scan -r content/strategies reads only the rules and the placeholders: 0 errors, and the scenario fires', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  const strategies = fileURLToPath(new URL('../../content/strategies', import.meta.url));
  const input = join(strategies, 'ads-0003-privileged-container-escape', 'scenarios', 'k8s-escape-pods.k8s-audit.jsonl');
  const r = scan(['-r', strategies, '-i', input]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /the rules\/ of 5 strategies and placeholders\.yml/);
  assert.match(r.err, /: (\d+) of \1 rules compiled, (\d+) of \2 correlations running; 0 errors, 0 warnings/);
  assert.doesNotMatch(r.err, /^error/m);
  assert.ok(r.findings.some((f) => f.rule.id === '6a81c573-57ca-4d01-82d6-b6d9d3e54611'));
});

test('a finding line is the JSON of the finding, events last, whether or not its events were written before', async () => {
  const { findingLine } = await import('./scan.js');
  const ev1 = { '@timestamp': '2026-02-01T08:00:00.000Z', process: { executable: '/bin/sh', args: ['sh', '-c', 'a "b"'] }, n: undefined };
  const ev2 = { '@timestamp': '2026-02-01T08:00:01.000Z', message: 'line\nbreak \u2028' };
  const rule = { id: 'r1', title: 'T', level: 'high', kind: 'sigma', tags: ['attack.t1059'] } as const;
  const plain = (f: any) => {
    const r: Record<string, unknown> = { id: f.rule.id, title: f.rule.title, level: f.rule.level, kind: f.rule.kind, tags: f.rule.tags };
    const out: Record<string, unknown> = { '@timestamp': f.time, rule: r, kind: f.rule.kind };
    if (f.selections) out.selections = f.selections;
    if (f.group) out.group = f.group;
    if (f.details) out.details = f.details;
    out.events = f.events;
    return JSON.stringify(out);
  };
  const a: any = { rule, time: ev1['@timestamp'], events: [ev1], selections: ['selection'] };
  const b: any = {
    rule: { ...rule, id: 'r2', kind: 'correlation' },
    time: ev2['@timestamp'],
    events: [ev1, ev2],
    group: { 'host.name': 'x' },
    details: { count: 2 },
  };
  const c: any = { rule, time: ev1['@timestamp'], events: [] };
  // ev1 is written three times (twice after its first time): the same text each time
  for (const f of [a, b, a, c]) {
    assert.equal(findingLine(f), plain(f));
    assert.deepEqual(JSON.parse(findingLine(f)), JSON.parse(plain(f)));
  }
});

test('exit status: the highest that applies, and the line that says why', async () => {
  const { exitStatus, usageError, EXIT_FINDINGS, EXIT_INPUT_LOST, EXIT_NOT_FOUND } = await import('./scan.js');
  const none = { missing: [], lost: [], findings: 0, failOnMatch: true };
  assert.deepEqual(exitStatus(none), { code: 0 });
  assert.deepEqual(exitStatus({ ...none, findings: 2, failOnMatch: false }), { code: 0 }, 'findings alone are not a failure');
  assert.equal(exitStatus({ ...none, findings: 2 }).code, EXIT_FINDINGS);
  const lost = exitStatus({ ...none, findings: 2, lost: ['a: parse-error', 'a: parse-error', 'b: every record refused'] });
  assert.equal(lost.code, EXIT_INPUT_LOST);
  assert.equal(lost.line, `scan: input lost (exit ${EXIT_INPUT_LOST}): a: parse-error; b: every record refused\n`, 'each loss named once');
  const many = exitStatus({ ...none, lost: Array.from({ length: 12 }, (_, i) => `f${i}: parse-error`) });
  assert.match(many.line ?? '', /f9: parse-error; and 2 more\n$/);
  const gone = exitStatus({ ...none, findings: 2, lost: ['a: parse-error'], missing: ['x.ndjson'] });
  assert.deepEqual(gone, { code: EXIT_NOT_FOUND, line: `scan: exit ${EXIT_NOT_FOUND}: 1 input file(s) not found: x.ndjson\n` });

  assert.deepEqual(usageError({ lateness: '5s', inputFormat: 'ecs' }), { format: 'ecs' });
  assert.deepEqual(usageError({ lateness: '0s' }), { format: undefined }, 'no format: detect');
  assert.match(usageError({ lateness: 'soon' }) as string, /--lateness "soon" is not a duration/);
  assert.match(usageError({ lateness: '0s', format: 'ecs', inputFormat: 'falco' }) as string, /disagree/);
  assert.match(usageError({ lateness: '0s', inputFormat: 'csv' as never }) as string, /'csv' is not a format; valid: .*ecs/);
});
