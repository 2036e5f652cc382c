import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';

test('conn.log TSV: header, unset and empty fields; a line with the wrong field count is counted', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/conn.log'));
  assert.equal(events.length, 4);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line]),
    [['zeek-field-count', 12]],
  );
  const [c2, dns, s0, v6] = events as [any, any, any, any];
  assert.deepEqual(c2.stowaway.logsource, { product: 'zeek', category: 'network_connection', service: 'conn' });
  assert.equal(c2['@timestamp'], '2024-03-05T10:03:20.123Z');
  assert.equal(c2.source.ip, '172.17.0.2');
  assert.equal(c2.destination.port, 4444);
  assert.equal(c2.destination.bytes, 88012);
  assert.equal(c2.network.bytes, 89532);
  assert.equal(c2.network.direction, 'outbound');
  assert.equal(c2.event.duration, 62503321000);
  assert.deepEqual(c2.zeek.conn.tunnel_parents, []);
  assert.equal(c2.zeek.conn['id.orig_h'], '172.17.0.2');
  assert.equal(dns.network.protocol, 'dns');
  assert.equal(s0.destination.port, undefined, 'unset port stays unset');
  assert.equal(s0.event.duration, undefined);
  assert.equal(v6.network.type, 'ipv6');
});

test('conn.log JSON lines', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/conn.json'));
  assert.equal(diagnostics.length, 0);
  assert.equal(events.length, 2);
  assert.equal((events[0] as any).network.community_id, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  assert.equal((events[1] as any).network.direction, 'internal');
});
