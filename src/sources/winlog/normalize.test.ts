import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeWindowsEvent, isDiagnostic } from './normalize.js';
import { readJsonValues } from './json-stream.js';

const sysmon1 = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
      EventID: 1,
      TimeCreated: { '#attributes': { SystemTime: '2025-11-27T07:40:10.165324Z' } },
      EventRecordID: 42,
      Execution: { '#attributes': { ProcessID: 3544, ThreadID: 4272 } },
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'ws1',
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: {
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd /c whoami',
      ParentImage: 'C:\\Windows\\explorer.exe',
      User: 'CORP\\bob',
      'Source Name': 'x',
    },
  },
};

test('Event.System/EventData: winlog.*, ECS process fields, logsource by Sysmon event id', () => {
  const e = normalizeWindowsEvent(sysmon1, 'f.json:1');
  assert.ok(!isDiagnostic(e));
  assert.equal(e['@timestamp'], '2025-11-27T07:40:10.165Z');
  assert.deepEqual(e.stowaway.logsource, { product: 'windows', service: 'sysmon', category: 'process_creation' });
  assert.equal(e.process?.executable, 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(e.process?.name, 'cmd.exe');
  assert.equal(e.process?.parent?.executable, 'C:\\Windows\\explorer.exe');
  const w = e['winlog'] as Record<string, unknown>;
  assert.equal(w['event_id'], 1);
  assert.equal(w['provider_name'], 'Microsoft-Windows-Sysmon');
  assert.deepEqual((w['event_data'] as Record<string, unknown>)['SourceName'], 'x', 'spaces are stripped from field names');
  assert.equal(e.host?.name, 'ws1');
});

test('Sysmon 12 splits into registry_add / registry_delete by EventType; Security 4688 is process_creation', () => {
  const reg = structuredClone(sysmon1) as any;
  reg.Event.System.EventID = 12;
  reg.Event.EventData = { EventType: 'DeleteKey', TargetObject: 'HKLM\\x' };
  const r = normalizeWindowsEvent(reg);
  assert.ok(!isDiagnostic(r));
  assert.equal(r.stowaway.logsource.category, 'registry_delete');
  assert.equal(r.registry?.path, 'HKLM\\x');
  const sec = {
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing' } },
        EventID: 4688,
        Channel: 'Security',
        TimeCreated: { '#attributes': { SystemTime: '2025-01-01T00:00:00Z' } },
      },
      EventData: { Data: [{ '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\x.exe' }] },
    },
  };
  const s = normalizeWindowsEvent(sec);
  assert.ok(!isDiagnostic(s));
  assert.deepEqual(s.stowaway.logsource, { product: 'windows', service: 'security', category: 'process_creation' });
  assert.equal(s.process?.executable, 'C:\\x.exe');
});

test('Winlogbeat documents and PowerShell 4104', () => {
  const e = normalizeWindowsEvent({
    '@timestamp': '2025-01-01T00:00:00Z',
    winlog: {
      event_id: '4104',
      channel: 'Microsoft-Windows-PowerShell/Operational',
      provider_name: 'Microsoft-Windows-PowerShell',
      event_data: { ScriptBlockText: 'IEX x' },
    },
  });
  assert.ok(!isDiagnostic(e));
  assert.deepEqual(e.stowaway.logsource, { product: 'windows', service: 'powershell', category: 'ps_script' });
  assert.equal((e['winlog'] as any).event_data.ScriptBlockText, 'IEX x');
});

test('bad input is a diagnostic, never a throw', () => {
  for (const bad of [null, 42, 'x', {}, { Event: {} }, { Event: { System: { EventID: 'x' } } }, { winlog: { event_id: 1 } }]) {
    const r = normalizeWindowsEvent(bad, 'b.json');
    assert.ok(isDiagnostic(r), JSON.stringify(bad));
    assert.equal(r.code, 'bad-winlog');
  }
});

test('JSON streams: concatenated pretty objects, NDJSON, arrays; broken parts are diagnostics', () => {
  const r = readJsonValues('{"a": 1}\n{\n  "b": "}"\n}\n[{"c": 3}, {"d": 4}]\n{"e": \n', 'x.json');
  assert.deepEqual(
    r.records.map((x) => x.value),
    [{ a: 1 }, { b: '}' }, { c: 3 }, { d: 4 }],
  );
  assert.deepEqual(
    r.records.map((x) => x.line),
    [1, 2, 5, 5],
  );
  assert.equal(r.diagnostics[0]?.code, 'bad-json');
});

test('flat Windows events (EventID + Channel at the top, EventData beside them) read as the nested shape does', () => {
  const sys = sysmon1.Event.System;
  const flat = {
    EventID: 1,
    Provider_Name: 'Microsoft-Windows-Sysmon',
    Provider_Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9',
    Channel: sys.Channel,
    Computer: sys.Computer,
    SystemTime: '2025-11-27T07:40:10.165324Z',
    EventRecordID: 42,
    Execution_ProcessID: 3544,
    Execution_ThreadID: 4272,
    Security_UserID: 'S-1-5-18',
    ...sysmon1.Event.EventData,
  };
  const a = normalizeWindowsEvent(sysmon1, 'f.json:1');
  const b = normalizeWindowsEvent(flat, 'f.json:1');
  assert.ok(!isDiagnostic(a) && !isDiagnostic(b));
  const { raw: _ra, ...na } = a as any;
  const { raw: _rb, ...nb } = b as any;
  assert.deepEqual(nb, na);
  // a Security channel record is a Windows event, not Sysmon
  const sec = normalizeWindowsEvent({ EventID: 4688, Channel: 'Security', TimeCreated: '2025-11-27T07:40:10Z', NewProcessName: 'C:\\x.exe' }, 'f:2');
  assert.ok(!isDiagnostic(sec));
  assert.deepEqual((sec as any).stowaway.logsource, { product: 'windows', service: 'security', category: 'process_creation' });
  assert.equal((sec as any).process.executable, 'C:\\x.exe');
});
