import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalIsoMs } from './iso-time.js';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

test('canonical ISO times: the fast reading agrees with Date.parse, and takes only what toISOString writes back unchanged', () => {
  // components out of range too (month 13, day 31 of a short month, hour 24, second 60)
  const text = fc
    .tuple(fc.nat(9999), fc.nat(14), fc.nat(32), fc.nat(25), fc.nat(61), fc.nat(61), fc.nat(999))
    .map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`);
  fc.assert(
    fc.property(text, (v) => {
      const fast = canonicalIsoMs(v);
      const parsed = Date.parse(v);
      const roundTrips = !Number.isNaN(parsed) && new Date(parsed).toISOString() === v;
      if (Number.isNaN(fast)) {
        // left to the general path: only texts Date.parse rewrites, refuses, or years before 1000
        assert.ok(!roundTrips || v < '1000', v);
      } else {
        assert.equal(fast, parsed, v);
        assert.ok(roundTrips, v);
      }
    }),
    { numRuns: 20000 },
  );
  // every instant toISOString writes (4-digit years from 1000) is read by the fast path
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
      assert.equal(canonicalIsoMs(new Date(ms).toISOString()), ms);
    }),
    { numRuns: 20000 },
  );
  for (const v of [
    '2026-03-04T05:00:00.000+00:00',
    '2026-03-04T05:00:00Z',
    '2026-03-04T05:00:00.0000Z',
    '2026-03-04 05:00:00.000Z',
    '２026-03-04T05:00:00.000Z',
    '',
  ])
    assert.ok(Number.isNaN(canonicalIsoMs(v)), v);
});
