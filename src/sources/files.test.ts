import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fixturePath } from './fixture-path.js';
import { describeFormat, detectFormat } from './detect.js';
import { readAll } from './testutil.js';
import { readFileSync } from 'node:fs';
import type { StowawayEvent } from '../model/event.js';

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

test('Windows event JSON in every spelling is detected, and the label names the spelling and the line', () => {
  const d = (o: unknown, before: string[] = []) => describeFormat([...before, JSON.stringify(o)]);
  assert.deepEqual(d({ EventID: 1, Channel: 'Linux-Sysmon/Operational', Image: '/bin/sh' }, ['']), {
    format: 'winlog',
    label: 'flat Sysmon for Linux JSON',
    line: 2,
  });
  assert.equal(d({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' })?.label, 'flat Sysmon JSON');
  assert.equal(d({ EventID: 4688, Channel: 'Security' })?.label, 'flat Windows event JSON');
  assert.equal(d({ EventID: 1, Provider_Name: 'Linux-Sysmon' })?.label, 'flat Sysmon for Linux JSON');
  assert.equal(d({ Event: { System: {} } })?.label, 'Windows event JSON (Event.System/EventData)');
  assert.equal(d({ winlog: { event_id: 1 } })?.label, 'Winlogbeat JSON');
  // an ECS document that merely has an event id is ECS
  assert.deepEqual(d({ '@timestamp': '2024-01-01T00:00:00Z', event: { code: '1' } }), { format: 'ecs', label: 'ECS NDJSON', line: 1 });
  assert.equal(describeFormat(['<Event><System/></Event>'])?.label, 'Sysmon for Linux XML');
});

test('an explicit format wins; unknown content and missing files are diagnostics, not crashes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-files-'));
  try {
    const f = join(dir, 'x.txt');
    writeFileSync(f, 'hello\nworld\n');
    const unknown = await readAll(f);
    assert.deepEqual(
      unknown.diagnostics.map((d) => d.code),
      ['unknown-format'],
    );
    const forced = await readAll(f, { format: 'ecs' });
    assert.equal(forced.diagnostics.length, 2);
    const missing = await readAll(join(dir, 'nope.log'));
    assert.deepEqual(
      missing.diagnostics.map((d) => d.code),
      ['unreadable-file'],
    );
    const arr = join(dir, 'arr.json');
    writeFileSync(
      arr,
      JSON.stringify([{ '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['file'], type: ['creation'] } }, { '@timestamp': 'bad' }], null, 2),
    );
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
    const ev = {
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
          EventID: 1,
          TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165324Z' } },
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          Computer: 'ws1',
        },
        EventData: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami' },
      },
    };
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

test('finding 7: a deeply nested line, a bad character reference and an overlong line each cost one record, not the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-lost-'));
  try {
    const ev = (n: number) =>
      JSON.stringify({ '@timestamp': `2026-01-01T00:00:0${n}Z`, event: { category: ['process'], type: ['start'] }, process: { name: `p${n}` } });
    const deep = `{"@timestamp":"2026-01-01T00:00:00Z","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    writeFileSync(join(dir, 'deep.ndjson'), [ev(1), deep, ev(2), ev(3)].join('\n') + '\n');
    const a = await readAll(join(dir, 'deep.ndjson'), { format: 'ecs' });
    assert.deepEqual(
      a.events.map((e) => e.process?.name),
      ['p1', 'p2', 'p3'],
    );
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, d.line]),
      [['too-deep', 2]],
    );

    const sysmon = readFileSync(fx('./sysmon-linux/fixtures/syslog.log'), 'utf8').split('\n').filter(Boolean);
    const bad = sysmon[0]!.replace('<Data Name="RuleName">-</Data>', '<Data Name="RuleName">&#99999999;</Data>');
    writeFileSync(join(dir, 'sysmon.log'), [bad, ...sysmon].join('\n') + '\n');
    const b = await readAll(join(dir, 'sysmon.log'), { format: 'sysmon' });
    const good = await readAll(fx('./sysmon-linux/fixtures/syslog.log'), { format: 'sysmon' });
    assert.equal(b.events.length, good.events.length + 1);
    assert.equal((b.events[0]!.winlog as { event_data: Record<string, string> }).event_data.RuleName, '\ufffd');

    writeFileSync(join(dir, 'long.ndjson'), [ev(1), `{"@timestamp":"2026-01-01T00:00:00Z","pad":"${'x'.repeat(300_000)}"}`, ev(2)].join('\n') + '\n');
    const c = await readAll(join(dir, 'long.ndjson'), { format: 'ecs', maxLineBytes: 100_000 });
    assert.deepEqual(
      c.events.map((e) => e.process?.name),
      ['p1', 'p2'],
    );
    assert.deepEqual(
      c.diagnostics.map((d) => [d.code, d.line]),
      [['line-too-long', 2]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a time with sub-millisecond digits in an extended year stays a valid time', async () => {
  const { toIso } = await import('./util.js');
  for (const v of ['+275760-09-13T00:00:00.12345Z', '+010000-01-01T00:00:00.1234Z', '2026-01-01T00:00:00.123456Z']) {
    const iso = toIso(v);
    assert.ok(iso === undefined || !Number.isNaN(Date.parse(iso)), `${v} → ${iso}`);
  }
  assert.equal(toIso('+010000-01-01T00:00:00.1234Z'), '+010000-01-01T00:00:00.123Z');
  assert.equal(toIso('2026-01-01T00:00:00.123456Z'), '2026-01-01T00:00:00.123456Z');
});

test('stowaway events read back as ECS, and Winlogbeat-shaped Sysmon for Linux reads as Sysmon for Linux', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-beat-'));
  try {
    const xml = await readAll(fx('./sysmon-linux/fixtures/syslog.log'), { format: 'sysmon' });
    assert.ok(xml.events.length >= 3);
    const lsOf = (e: { stowaway: { logsource: unknown } }) => JSON.stringify(e.stowaway.logsource);
    const dataOf = (e: StowawayEvent) => ((e as unknown as { winlog: unknown }).winlog as { event_data: Record<string, string> }).event_data;

    // what `scan` writes: normalized events carrying winlog.* beside the ECS fields
    const own = join(dir, 'own.ndjson');
    writeFileSync(own, xml.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    assert.deepEqual(describeFormat([readFileSync(own, 'utf8').split('\n')[0]!]), { format: 'ecs', label: 'ECS NDJSON (stowaway events)', line: 1 });
    const back = await readAll(own);
    assert.equal(back.diagnostics.length, 0);
    assert.deepEqual(back.events.map(lsOf), xml.events.map(lsOf));
    assert.deepEqual(back.events.map(dataOf), xml.events.map(dataOf));

    // Elastic's decode_xml_wineventlog shape: winlog.* without stowaway's bookkeeping
    const beat = join(dir, 'beat.ndjson');
    const beatDocs = xml.events.map((e) => {
      const w = e.winlog as Record<string, unknown>;
      return {
        '@timestamp': e['@timestamp'],
        winlog: {
          event_id: w.event_id,
          channel: w.channel,
          provider_name: w.provider_name,
          computer_name: w.computer_name,
          record_id: w.record_id,
          event_data: dataOf(e),
        },
      };
    });
    // a key that would reach Object.prototype stays out of the record
    (beatDocs[0]!.winlog.event_data as Record<string, unknown>) = JSON.parse(
      `{"__proto__":{"polluted":"yes"},${JSON.stringify(dataOf(xml.events[0]!)).slice(1)}`,
    );
    writeFileSync(beat, beatDocs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    assert.equal(describeFormat([readFileSync(beat, 'utf8').split('\n')[0]!])?.label, 'Winlogbeat JSON');
    const b = await readAll(beat);
    assert.equal(b.diagnostics.length, 0);
    assert.deepEqual(b.events.map(lsOf), xml.events.map(lsOf));
    assert.ok(b.events.some((e) => e.stowaway.logsource.category === 'process_creation'));
    assert.deepEqual(
      b.events.map((e) => [e['@timestamp'], e.process?.executable, e.process?.command_line, e.host?.name]),
      xml.events.map((e) => [e['@timestamp'], e.process?.executable, e.process?.command_line, e.host?.name]),
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(dataOf(b.events[0]!)), Object.prototype);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
