import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fixturePath } from './fixture-path.js';
import { detectFormat } from './detect.js';
import { readAll } from './testutil.js';
import { readFileSync } from 'node:fs';

const fx = (p: string) => fixturePath(import.meta.url, p);

test('detects every format from its first lines', () => {
  const first = (p: string) => readFileSync(fx(p), 'utf8').split('\n').slice(0, 20);
  assert.equal(detectFormat(first('./docker/fixtures/events.ndjson')), 'docker-events');
  assert.equal(detectFormat(first('./auditd/fixtures/containers.log')), 'auditd');
  assert.equal(detectFormat(first('./k8s-audit/fixtures/audit.jsonl')), 'k8s-audit');
  assert.equal(detectFormat(first('./k8s-audit/fixtures/eventlist.json')), 'k8s-audit');
  assert.equal(detectFormat(first('./falco/fixtures/events.json')), 'falco');
  assert.equal(detectFormat(first('./zeek/fixtures/conn.log')), 'zeek-conn');
  assert.equal(detectFormat(first('./zeek/fixtures/conn.json')), 'zeek-conn');
  assert.equal(detectFormat(first('./sysmon-linux/fixtures/syslog.log')), 'sysmon');
  assert.equal(detectFormat(first('./ecs/fixtures/events.ndjson')), 'ecs');
  assert.equal(detectFormat(['', 'hello world']), undefined);
});

test('an explicit format wins; unknown content and missing files are diagnostics, not crashes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-files-'));
  try {
    const f = join(dir, 'x.txt');
    writeFileSync(f, 'hello\nworld\n');
    const unknown = await readAll(f);
    assert.deepEqual(unknown.diagnostics.map((d) => d.code), ['unknown-format']);
    const forced = await readAll(f, { format: 'ecs' });
    assert.equal(forced.diagnostics.length, 2);
    const missing = await readAll(join(dir, 'nope.log'));
    assert.deepEqual(missing.diagnostics.map((d) => d.code), ['unreadable-file']);
    const arr = join(dir, 'arr.json');
    writeFileSync(arr, JSON.stringify([{ '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['file'], type: ['creation'] } }, { '@timestamp': 'bad' }], null, 2));
    const a = await readAll(arr);
    assert.equal(a.events.length, 1);
    assert.equal(a.diagnostics.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Windows event JSON goes through the winlog normalizer (winlog and sysmon formats)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-files-'));
  try {
    const ev = { Event: { System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 1, TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165324Z' } }, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws1' }, EventData: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami' } } };
    const f = join(dir, 'win.json');
    writeFileSync(f, JSON.stringify(ev) + '\n' + '{"Event":{}}\n');
    for (const format of [undefined, 'sysmon'] as const) {
      const { events, diagnostics } = await readAll(f, format ? { format } : {});
      assert.equal(events.length, 1, `format ${format ?? 'detected'}`);
      assert.equal(events[0]!.stowaway.logsource.product, 'windows');
      assert.equal(events[0]!.stowaway.origin, `${f}:1`);
      assert.equal(diagnostics.length, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
