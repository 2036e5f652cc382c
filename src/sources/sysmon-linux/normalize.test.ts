import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';
import { normalizeSysmonXml } from './normalize.js';

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
