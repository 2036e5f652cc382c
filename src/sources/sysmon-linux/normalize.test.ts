import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';
import fc from 'fast-check';
import { FLAT_SYSTEM, isLinuxSysmonFlat, normalizeSysmonFlat, normalizeSysmonLine, normalizeSysmonXml } from './normalize.js';
import { syntheticProcessEvents, sysmonFlatJsonLine, sysmonXmlLine } from '../synthetic.js';

test('Sysmon for Linux records from syslog: by event id, with winlog fields; a truncated record is counted', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/syslog.log'));
  assert.equal(events.length, 3);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line]),
    [['bad-sysmon', 4]],
  );
  const [proc, net, file] = events as [any, any, any];
  assert.deepEqual(proc.stowaway.logsource, { product: 'linux', category: 'process_creation', service: 'sysmon' });
  assert.equal(proc.process.executable, '/usr/bin/nsenter');
  assert.equal(proc.process.command_line, 'nsenter -t 1 -m -u -i -n sh -c "id && hostname"');
  assert.deepEqual(proc.process.args.slice(-3), ['sh', '-c', 'id && hostname']);
  assert.equal(proc.process.parent.executable, '/bin/bash');
  assert.equal(proc.winlog.event_id, 1);
  assert.equal(proc.winlog.event_data.Image, '/usr/bin/nsenter');
  assert.equal(proc['@timestamp'], '2024-03-05T10:30:00.120Z');
  assert.equal(net.stowaway.logsource.category, 'network_connection');
  assert.equal(net.destination.ip, '169.254.169.254');
  assert.equal(net.network.direction, 'outbound');
  assert.equal(file.stowaway.logsource.category, 'file_event');
  assert.equal(file.file.path, '/etc/cron.d/backdoor');
});

test('Sysmon XML entities are decoded in names and values; plain values pass as they are', () => {
  const xml =
    '<Event><System><EventID>1</EventID><TimeCreated SystemTime="2024-03-05T10:30:00.121734000Z"/><Computer>n&amp;1</Computer></System><EventData>' +
    '<Data Name="Image">/usr/bin/a&lt;b&gt;</Data><Data Name=\'Comm&#97;ndLine\'>sh -c &quot;x&#x3E;y&apos;&quot;</Data><Data Name="CurrentDirectory">/tmp/plain</Data><Data Name="RuleName"/></EventData></Event>';
  const r = normalizeSysmonXml(xml, 'x:1');
  assert.ok('event' in r);
  const ev = r.event as any;
  assert.equal(ev.process.executable, '/usr/bin/a<b>');
  assert.equal(ev.process.command_line, 'sh -c "x>y\'"');
  assert.equal(ev.process.working_directory, '/tmp/plain');
  assert.equal(ev.host.name, 'n&1');
  assert.equal(ev.winlog.event_data.RuleName, '');
});

test('flat Sysmon-for-Linux JSON (Zircolite/Chainsaw style) gives the event its XML gives, field for field', () => {
  for (const e of syntheticProcessEvents(300, 3)) {
    const fromXml = normalizeSysmonLine(sysmonXmlLine(e), 'x:1');
    const fromFlat = normalizeSysmonFlat(JSON.parse(sysmonFlatJsonLine(e)), 'x:1');
    assert.equal(fromXml.length, 1);
    assert.deepEqual(fromFlat, fromXml[0]);
  }
});

test('flat JSON as exporters write it: numbers for ids, TimeCreated or only UtcTime for the time; no time is refused', () => {
  const line = {
    EventID: 1,
    Channel: 'Linux-Sysmon/Operational',
    Computer: 'node-2',
    TimeCreated: '2024-03-05T10:30:00.121734Z',
    ProcessId: 7001,
    Image: '/usr/bin/nsenter',
    CommandLine: 'nsenter -t 1 -m sh',
    User: 'root',
    LogonId: 0,
    ParentUser: 'ubuntu',
    ParentImage: '/bin/bash',
    ParentProcessId: 6990,
  };
  assert.ok(isLinuxSysmonFlat(line));
  const r = normalizeSysmonFlat(line, 'f:1') as { event: any };
  assert.equal(r.event.stowaway.logsource.category, 'process_creation');
  assert.equal(r.event.process.pid, 7001);
  assert.equal(r.event.winlog.event_data.ProcessId, '7001', 'EventData stays text, as in the XML');
  assert.equal(r.event.winlog.event_data.LogonId, '0');
  assert.equal(r.event.process.parent.user.name, 'ubuntu');
  assert.equal(r.event['@timestamp'], '2024-03-05T10:30:00.121734Z', 'sub-millisecond digits kept, as for the XML SystemTime');
  const onlyUtc = normalizeSysmonFlat({ EventID: 1, Channel: 'Linux-Sysmon/Operational', UtcTime: '2024-03-05 10:30:00.120' }, 'f:2') as { event: any };
  assert.equal(onlyUtc.event['@timestamp'], '2024-03-05T10:30:00.120Z');
  const none = normalizeSysmonFlat({ EventID: 1, Channel: 'Linux-Sysmon/Operational', Image: '/bin/sh' }, 'f:3');
  assert.ok('diagnostic' in none && none.diagnostic.code === 'bad-sysmon' && none.diagnostic.line === 3);
  // a TimeCreated that is no time refuses the record even with a good UtcTime, as in the XML
  const badTime = { EventID: 1, Channel: 'Linux-Sysmon/Operational', TimeCreated: 'yesterday', UtcTime: '2024-03-05 10:30:00.120' };
  assert.ok('diagnostic' in normalizeSysmonFlat(badTime, 'f:4'));
  const badXml = sysmonXmlLine(syntheticProcessEvents(1, 9)[0]!).replace(/SystemTime="[^"]*"/, 'SystemTime="yesterday"');
  assert.ok('diagnostic' in normalizeSysmonLine(badXml, 'f:5')[0]!);
  // a Windows Sysmon record is not a Linux one, whatever its fields
  assert.equal(isLinuxSysmonFlat({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }), false);
});

test('several records on one line, a truncated one after a good one, and tags that only start like <Event', () => {
  const [xml] = [sysmonXmlLine(syntheticProcessEvents(1, 5)[0]!)];
  const body = xml.slice(xml.indexOf('<Event>'));
  const two = normalizeSysmonLine(`prefix ${body} middle ${body}`, 'f:1');
  assert.equal(two.length, 2);
  assert.ok(two.every((r) => 'event' in r));
  assert.equal(normalizeSysmonLine(`${body} ${body.slice(0, 200)}`, 'f:2').length, 1);
  const bad = normalizeSysmonLine('x <EventData><Data Name="Image">/bin/sh</Data></EventData>', 'f:3');
  assert.ok('diagnostic' in bad[0]! && bad[0].diagnostic.message === 'truncated <Event> record');
});

test('flat records read alone or after records of other shapes: EventData is every other key in order, as text', () => {
  const system = ['EventID', 'Channel', 'Computer', 'SystemTime', 'Provider_Name', 'Version', 'EventRecordID'];
  const dataKey = fc.oneof(
    fc.constantFrom('Image', 'CommandLine', 'UtcTime', 'ProcessId', 'User', 'RuleName', 'LogonId', '0', 'constructor', '__proto__'),
    fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !Object.hasOwn(FLAT_SYSTEM, k)),
  );
  const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({ a: [1] }));
  // a record: the System keys and EventData keys interleaved in any order
  const record = fc
    .tuple(fc.shuffledSubarray(system, { minLength: 0 }), fc.array(fc.tuple(dataKey, value), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }))
    .map(([sys, data, order]) => {
      const entries: Array<[string, unknown]> = [...sys.map((k): [string, unknown] => [k, sysValue(k)]), ...data];
      for (let i = 0; i < order.length && entries.length > 1; i++) {
        const a = order[i]! % entries.length;
        [entries[0], entries[a]] = [entries[a]!, entries[0]!];
      }
      return JSON.parse(JSON.stringify(Object.fromEntries(entries))) as Record<string, unknown>;
    });
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), (records) => {
      for (const rec of records) {
        const r = normalizeSysmonFlat(rec, 'f:1');
        if (!('event' in r)) continue;
        const want: Record<string, string> = {};
        for (const k of Object.keys(rec)) {
          const v = rec[k];
          if (Object.hasOwn(FLAT_SYSTEM, k) || v === null || k === '__proto__') continue;
          want[k] = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
        }
        const got = (r.event as any).winlog.event_data;
        assert.equal(JSON.stringify(got), JSON.stringify(want));
        assert.equal((r.event as any).winlog.computer_name, typeof rec['Computer'] === 'string' ? rec['Computer'] : undefined);
      }
    }),
    { numRuns: 2000 },
  );
});

function sysValue(k: string): unknown {
  if (k === 'EventID') return 1;
  if (k === 'SystemTime') return '2024-03-05T10:30:00.121734Z';
  if (k === 'Channel') return 'Linux-Sysmon/Operational';
  if (k === 'Computer') return 'node-1';
  return 7;
}

test('XML records of changing shapes: EventData is every Data element in order, however it is written', () => {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  const element = fc.record({
    name: fc.oneof(fc.constantFrom('Image', 'CommandLine', 'User', 'RuleName', 'Image2', 'Im', 'a&b', '__proto__', 'constructor'), fc.string({ maxLength: 5 })),
    value: fc.oneof(fc.constantFrom('', '-', '/bin/sh', 'a<b>&c', 'Data'), fc.string({ maxLength: 8 })),
    quote: fc.constantFrom('"', '"', "'"),
    form: fc.constantFrom('open', 'open', 'open', 'spaced', 'empty'),
  });
  fc.assert(
    fc.property(fc.array(fc.array(element, { maxLength: 8 }), { minLength: 1, maxLength: 6 }), (records) => {
      for (const els of records) {
        let body = '';
        const want: Record<string, string> = {};
        for (const e of els) {
          const open = `<Data Name=${e.quote}${esc(e.name)}${e.quote}`;
          body += e.form === 'empty' ? `${open}/>` : `${open}${e.form === 'spaced' ? ' ' : ''}>${esc(e.value)}</Data>`;
          want[e.name] = e.form === 'empty' ? '' : e.value;
        }
        const xml = `<Event><System><EventID>1</EventID><TimeCreated SystemTime="2024-03-05T10:30:00.121734Z"/></System><EventData>${body}</EventData></Event>`;
        const r = normalizeSysmonXml(xml, 'x:1');
        assert.ok('event' in r);
        assert.equal(JSON.stringify((r.event as any).winlog.event_data), JSON.stringify(want), xml);
      }
    }),
    { numRuns: 3000 },
  );
});
