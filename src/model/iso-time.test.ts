import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalIsoMs, isPlainUtcTime } from './iso-time.js';

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

test('plain UTC times: a quick yes only for text Date.parse reads, and a yes for every in-range time of that shape', () => {
  // any fraction length, out-of-range fields, and bytes other than digits where digits go
  const digitsOrNot = (n: number, w: number, junk: string): string => (junk ? junk : pad(n, w));
  const text = fc
    .tuple(
      fc.tuple(fc.nat(9999), fc.nat(14), fc.nat(32), fc.nat(25), fc.nat(61), fc.nat(61)),
      fc.oneof(fc.constant(''), fc.stringMatching(/^\.[0-9]{0,12}$/), fc.stringMatching(/^\.[0-9a]{1,9}$/)),
      fc.constantFrom('', '', '', '', 'x', ' ', '１'),
      fc.constantFrom('Z', 'Z', 'Z', 'z', '+00:00', ''),
      fc.constantFrom('T', 'T', 'T', ' ', 't'),
    )
    .map(
      ([[y, mo, d, h, mi, s], frac, junk, zone, sep]) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${digitsOrNot(d, 2, junk)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}${zone}`,
    );
  fc.assert(
    fc.property(text, (v) => {
      const parsed = Date.parse(v);
      if (isPlainUtcTime(v)) assert.ok(!Number.isNaN(parsed), v);
      // the shape it promises, in range, from year 1000: always a yes
      const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$/.exec(v);
      if (m && !Number.isNaN(parsed) && Number(m[1]) >= 1000 && new Date(parsed).getUTCDate() === Number(m[3]) && Number(m[4]) < 24)
        assert.ok(isPlainUtcTime(v), v);
    }),
    { numRuns: 20000 },
  );
  for (const v of ['2026-03-04T05:00:00.000553000Z', '2024-03-05T10:30:00.121734Z', '2026-03-04T05:00:00Z', '2024-02-29T23:59:59.9Z'])
    assert.ok(isPlainUtcTime(v), v);
  for (const v of ['2026-03-04T05:00:00.Z', '2026-02-29T00:00:00Z', '2026-03-04 05:00:00Z', '2026-03-04T05:00:00+00:00', '0999-01-01T00:00:00Z', ''])
    assert.ok(!isPlainUtcTime(v), v);
});
