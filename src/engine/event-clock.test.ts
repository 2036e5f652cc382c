import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventClock } from './event-clock.js';

test('event clock: ordinary times move it, a lone far-ahead time does not, a quorum does', () => {
  const c = new EventClock({ maxJumpMs: 1000, quorum: 3 });
  assert.equal(c.observe(100), 100);
  assert.equal(c.observe(900), 900);
  assert.equal(c.observe(1_000_000), 900);
  assert.equal(c.observe(950), 950);
  assert.equal(c.observe(5_000_000), 950);
  assert.equal(c.observe(5_000_500), 950);
  assert.equal(c.observe(5_000_200), 5_000_500);
  assert.equal(c.outliers, 4);
  // times far ahead that never find company stay ignored, and memory stays bounded
  for (let i = 0; i < 1000; i++) c.observe(1e13 + i * 1e9);
  assert.equal(c.newest, 5_000_500);
  assert.equal(c.observe(NaN), 5_000_500);
});
