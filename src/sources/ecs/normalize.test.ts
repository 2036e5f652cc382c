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

// The normalizer once copied `stowaway` ({...given, source, logsource, origin}); it now completes
// the parsed object in place. The event must come out the same, key order included (it is the
// text written with each finding).
test('ECS stowaway bookkeeping filled in place gives the same event, key order included, as the copy did', async () => {
  const fc = (await import('fast-check')).default;
  const { inferLogsource } = await import('./normalize.js');
  const reference = (doc: any, origin: string): string => {
    const d = structuredClone(doc);
    const ev: any = d;
    ev.event = ev.event !== null && typeof ev.event === 'object' && !Array.isArray(ev.event) ? ev.event : {};
    for (const k of ['category', 'type']) if (typeof ev.event[k] === 'string') ev.event[k] = [ev.event[k]];
    const given: any = ev.stowaway !== null && typeof ev.stowaway === 'object' && !Array.isArray(ev.stowaway) ? ev.stowaway : {};
    const lsOk = given.logsource !== null && typeof given.logsource === 'object' && !Array.isArray(given.logsource) && Object.keys(given.logsource).length > 0;
    ev.stowaway = {
      ...given,
      source: typeof given.source === 'string' ? given.source : 'ecs',
      logsource: lsOk ? given.logsource : inferLogsource(ev),
      origin: typeof given.origin === 'string' ? given.origin : origin,
    };
    return JSON.stringify(ev);
  };
  const value = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null), fc.constant({}), fc.constant({ product: 'linux' }), fc.constant(['x']));
  const stowaway = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 3 }),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom('source', 'logsource', 'origin', 'extra', 'more'), value), { selector: (e) => e[0], maxLength: 5 })
      .map((kv) => Object.fromEntries(kv)),
  );
  const event = fc.oneof(
    fc.constant(undefined),
    fc.record(
      { category: fc.oneof(fc.constant('process'), fc.constant(['network'])), type: fc.oneof(fc.constant('start'), fc.constant(['end'])) },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(stowaway, event, fc.boolean(), (st, evt, hostFirst) => {
      const doc: any = hostFirst ? { host: { os: { type: 'linux' } }, '@timestamp': '2026-03-04T05:00:00.000Z' } : { '@timestamp': '2026-03-04T05:00:00.000Z' };
      if (evt !== undefined) doc.event = evt;
      if (st !== undefined) doc.stowaway = st;
      if (!hostFirst) doc.host = { os: { type: 'linux' } };
      const want = reference(doc, 'f:1');
      const [r] = normalizeEcs(JSON.parse(JSON.stringify(doc)), 'f:1');
      assert.ok(r && 'event' in r);
      assert.equal(JSON.stringify(r.event), want);
    }),
    { numRuns: 2000 },
  );
});
