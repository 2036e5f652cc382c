// `stowaway rules check` and `stowaway explain` as a user runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
