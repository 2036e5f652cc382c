// The short fuzz pass of `npm test`: every target for a few thousand generated inputs.
// The long pass (a million per target) is `npm run fuzz -- --long`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTargets } from './targets.js';
import { fuzzOne } from './run.js';

const RUNS = Number(process.env.STOWAWAY_FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.STOWAWAY_FUZZ_SEED ?? Date.now() % 2 ** 31);

test(`fuzz, short pass (${RUNS} inputs per target, seed ${SEED}): no crash, no input over 1 s`, { timeout: 300_000 }, async () => {
  process.removeAllListeners('warning');
  const targets = await fuzzTargets();
  assert.equal(targets.length, 11);
  for (const t of targets) {
    const r = fuzzOne(t, RUNS, SEED);
    assert.equal(r.inputs, RUNS, t.name);
    assert.equal(r.crashes, 0, `${t.name}: ${r.first_crash} (reproduce: npm run fuzz -- --target ${t.name} --seed ${SEED} --runs ${RUNS})`);
    assert.equal(r.hangs, 0, `${t.name}: ${r.first_hang}`);
  }
});
