import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';

test('ECS NDJSON: logsource honoured or inferred, dotted keys nested, bad lines counted', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/events.ndjson'));
  assert.equal(events.length, 3);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line]), [['bad-ecs', 4], ['bad-json', 5]]);
  const [p, n, d] = events as [any, any, any];
  assert.deepEqual(p.stowaway.logsource, { product: 'linux', category: 'process_creation' });
  assert.equal(p.stowaway.source, 'ecs');
  assert.deepEqual(n.stowaway.logsource, { product: 'linux', category: 'network_connection' });
  assert.equal(n.destination.port, 4444);
  assert.deepEqual(n.event.category, ['network']);
  assert.deepEqual(d.stowaway.logsource, { product: 'docker', category: 'container', service: 'events' });
  assert.equal(d.stowaway.source, 'docker');
});
