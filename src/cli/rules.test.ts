// `stowaway rules check` and `stowaway explain` as a user runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstErrorPerUnit } from './rules.js';

const fromSource = import.meta.url.endsWith('.ts');
const main = fileURLToPath(new URL(fromSource ? './main.ts' : './main.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), main, ...args], { encoding: 'utf8' });

const RULE = `title: Netcat listener in container
id: 5a0c3f7e-1b2d-4c3e-9f4a-6b7c8d9e0f1a
level: high
logsource:
  product: linux
  category: process_creation
detection:
  sel_img:
    Image|endswith: /nc
  sel_cli:
    CommandLine|contains: ' -l'
  condition: all of sel_*
`;

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-cli-'));
  writeFileSync(join(dir, 'nc.yml'), RULE);
  writeFileSync(join(dir, 'bad.yml'), RULE.replace('endswith', 'endz').replace('5a0c', '6a0c'));
  const ev = (cmd: string) =>
    JSON.stringify({
      '@timestamp': '2026-01-01T00:00:00Z',
      event: {},
      stowaway: { source: 'auditd', logsource: { product: 'linux', category: 'process_creation', service: 'auditd' } },
      process: { executable: '/usr/bin/nc', command_line: cmd },
    });
  writeFileSync(join(dir, 'events.ndjson'), ev('nc -lvp 4444') + '\n' + ev('nc example.org 80') + '\n');
  return dir;
}

test('rules check counts loaded and refused rules by reason and exits 1 on refusals', () => {
  const dir = fixture();
  const r = run(['rules', 'check', dir]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /rules loaded:\s+1/);
  assert.match(r.stdout, /refused:\s+1/);
  assert.match(r.stdout, /1\s+unknown-modifier/);
  const v = run(['rules', 'check', dir, '--verbose']);
  assert.match(v.stdout, /error\[unknown-modifier\] .*bad\.yml:\d+ rule 6a0c3f7e/);
  const j = JSON.parse(run(['rules', 'check', dir, '--json']).stdout);
  assert.equal(j.rules_loaded, 1);
  assert.deepEqual(j.refused_by_reason, { 'unknown-modifier': 1 });
});

test('explain says per search identifier and field why the rule matched or not', () => {
  const dir = fixture();
  const r = run(['explain', '--rule', 'Netcat listener in container', '--event', join(dir, 'events.ndjson'), '--rules', join(dir, 'nc.yml')]);
  assert.equal(r.status, 0, r.stderr);
  const [first, second] = r.stdout.split('\n\n');
  assert.match(first!, /matched/);
  assert.match(first!, /✔ sel_cli/);
  assert.match(second!, /no match/);
  assert.match(second!, /✘ process\.command_line\|contains: " -l" — event has "nc example.org 80"/);
  const j = JSON.parse(
    run(['explain', '--rule', '5a0c3f7e-1b2d-4c3e-9f4a-6b7c8d9e0f1a', '--event', join(dir, 'events.ndjson'), '--rules', dir, '--json']).stdout,
  );
  assert.deepEqual(
    j.map((x: { explanation: { matched: boolean } }) => x.explanation.matched),
    [true, false],
  );
});

test('a file with several YAML errors counts as one refusal', () => {
  const errs = [
    { severity: 'error' as const, code: 'yaml-syntax', message: 'a', file: 'x.yml', line: 3 },
    { severity: 'error' as const, code: 'yaml-syntax', message: 'b', file: 'x.yml', line: 4 },
    { severity: 'error' as const, code: 'unknown-modifier', message: 'c', file: 'y.yml', rule: 'r1' },
    { severity: 'error' as const, code: 'unsafe-regex', message: 'd', file: 'y.yml', rule: 'r2' },
  ];
  assert.deepEqual(
    firstErrorPerUnit(errs).map((d) => d.code),
    ['yaml-syntax', 'unknown-modifier', 'unsafe-regex'],
  );
});

const STRATEGIES = fileURLToPath(new URL('../../content/strategies', import.meta.url));

test('issue 15: rules check content/strategies reads only the rules, with the placeholders: 0 refused; a missing path is named', () => {
  const r = run(['rules', 'check', STRATEGIES, '--json']);
  assert.equal(r.status, 0, r.stdout.slice(0, 2000));
  const j = JSON.parse(r.stdout);
  assert.equal(j.refused, 0);
  assert.equal(j.errors, 0);
  assert.ok(j.rules_loaded >= 40, `${j.rules_loaded} rules`);
  // Every file read is a rule file of a strategy: no scenario, emulation, variant or response policy.
  const text = run(['rules', 'check', STRATEGIES]);
  assert.match(text.stderr, /the rules\/ of 5 strategies and placeholders\.yml/);
  assert.match(text.stdout, new RegExp(`files read:\\s+${j.files}`));
  // One strategy folder works too, with the placeholders beside it.
  const one = run(['rules', 'check', join(STRATEGIES, 'ads-0003-privileged-container-escape')]);
  assert.equal(one.status, 0, one.stdout);
  const nope = run(['rules', 'check', '/nope/rules']);
  assert.equal(nope.status, 2);
  assert.match(nope.stderr, /rules check: no such file or directory: \/nope\/rules/);
});

test('issue 15: rules list prints id, title, level, tags and file; --format json; the built-in content by default', () => {
  const j = JSON.parse(run(['rules', 'list', '--format', 'json']).stdout) as {
    id: string;
    title: string;
    level: string;
    kind: string;
    tags: string[];
    file: string;
  }[];
  assert.ok(j.length >= 50);
  const priv = j.find((r) => r.id === '6a81c573-57ca-4d01-82d6-b6d9d3e54611');
  assert.ok(priv);
  assert.equal(priv.level, 'high');
  assert.ok(priv.tags.includes('attack.t1610') || priv.tags.some((t) => t.startsWith('attack.t')));
  assert.match(priv.file, /ads-0003-privileged-container-escape\/rules\/.+\.yml$/);
  assert.ok(j.some((r) => r.kind === 'correlation' && r.level !== '' && r.tags.length > 0));
  assert.ok(!j.some((r) => /scenarios|variants|emulation/.test(r.file)));
  const t = run(['rules', 'list', STRATEGIES]);
  assert.equal(t.status, 0);
  assert.match(t.stdout.split('\n')[0]!, /^id\s+title\s+level\s+kind\s+tags\s+file$/);
  assert.match(t.stdout, /6a81c573-57ca-4d01-82d6-b6d9d3e54611\s+Kubernetes Workload Requests A Privileged Container\s+high/);
  const bad = run(['rules', 'list', '--format', 'xml']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /'xml' is not an output format: table or json/);
});

test('issue 15: explain normalizes a raw Kubernetes audit line that scan matched; exit 0 match, 1 no match, 2 rule not found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-explain-'));
  const raw = readFileSync(join(STRATEGIES, 'ads-0003-privileged-container-escape', 'scenarios', 'k8s-escape-pods.k8s-audit.jsonl'), 'utf8').split('\n')[0]!;
  writeFileSync(join(dir, 'line.jsonl'), raw + '\n');
  const hit = run(['explain', '--rule', '6a81c573-57ca-4d01-82d6-b6d9d3e54611', '--event', join(dir, 'line.jsonl'), '--rules', STRATEGIES]);
  assert.equal(hit.status, 0, hit.stderr);
  assert.match(hit.stdout, /matched/);
  assert.match(hit.stdout, /✔ orchestrator\.pod\.privileged: "true" — event has true/);
  assert.doesNotMatch(hit.stdout.split('\n').find((l) => l.includes('orchestrator.verb')) ?? '', /no such field/);
  const miss = run(['explain', '--rule', '2f9ab766-962d-41f1-91ff-5449fa702b16', '--event', join(dir, 'line.jsonl'), '--input-format', 'k8s-audit']);
  assert.equal(miss.status, 1, miss.stderr);
  assert.match(miss.stdout, /no match/);
  const none = run(['explain', '--rule', 'no-such-rule', '--event', join(dir, 'line.jsonl')]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no rule with id, name or title 'no-such-rule'/);
});
