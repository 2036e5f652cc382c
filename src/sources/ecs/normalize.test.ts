import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';
import { normalizeEcs } from './normalize.js';
import type { StowawayEvent } from '../../model/event.js';

test('ECS NDJSON: logsource honoured or inferred, dotted keys nested, bad lines counted', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/events.ndjson'));
  assert.equal(events.length, 3);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line]),
    [
      ['bad-ecs', 4],
      ['bad-json', 5],
    ],
  );
  const [p, n, d] = events as [any, any, any];
  assert.deepEqual(p.stowaway.logsource, { product: 'linux', category: 'process_creation' });
  assert.equal(p.stowaway.source, 'ecs');
  assert.deepEqual(n.stowaway.logsource, { product: 'linux', category: 'network_connection' });
  assert.equal(n.destination.port, 4444);
  assert.deepEqual(n.event.category, ['network']);
  assert.deepEqual(d.stowaway.logsource, { product: 'docker', category: 'container', service: 'events' });
  assert.equal(d.stowaway.source, 'docker');
});

test('finding 4: keys through __proto__/constructor do not reach Object.prototype', () => {
  const line =
    '{"@timestamp":"2026-01-01T00:00:00Z","event.category":"network","__proto__.process":{"name":"sh"},"constructor.prototype.polluted":"yes","__proto__":{"user":{"name":"root"}}}';
  const out = normalizeEcs(JSON.parse(line), 'f.ndjson:1');
  const plain = {} as Record<string, unknown>;
  assert.equal(plain.process, undefined);
  assert.equal(plain.polluted, undefined);
  assert.equal(plain.user, undefined);
  const ev = (out[0] as { event: StowawayEvent }).event;
  assert.equal(ev.process, undefined);
  assert.equal(ev.user, undefined);
  assert.equal(Object.getPrototypeOf(ev), Object.prototype);
  assert.deepEqual(ev.event.category, ['network']);
  const d = out.find((r) => 'diagnostic' in r) as { diagnostic: { code: string; message: string } };
  assert.equal(d.diagnostic.code, 'forbidden-key');
  assert.match(d.diagnostic.message, /__proto__\.process/);
});
