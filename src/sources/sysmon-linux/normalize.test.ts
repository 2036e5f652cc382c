import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';

test('Sysmon for Linux records from syslog: by event id, with winlog fields; a truncated record is counted', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/syslog.log'));
  assert.equal(events.length, 3);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line]), [['bad-sysmon', 4]]);
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
