import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allVariants, variantProblems, type Variant } from './index.js';

const ok: Variant = {
  strategy: 'ADS-0003',
  id: 'cfg-x',
  kind: 'positive',
  family: 'f',
  description: 'd',
  expect: ['r'],
  live: { steps: [{ run: 'true', where: 'host', timeout_s: 1, allow_failure: false }] },
};

test('a variant with bad fields is refused with every reason, the good ones kept', () => {
  assert.deepEqual(variantProblems(ok), []);
  assert.match(variantProblems({ ...ok, id: 'Bad_Id' }).join(), /id "Bad_Id"/);
  assert.match(variantProblems({ ...ok, expect: [] }).join(), /names the rules/);
  assert.match(variantProblems({ ...ok, kind: 'benign' }).join(), /expects nothing/);
  assert.match(variantProblems({ ...ok, strategy: 'ADS-3' }).join(), /not an ADS id/);
  assert.match(variantProblems({ ...ok, technique: 'T99' }).join(), /ATT&CK/);
  const { live: _live, ...noTelemetry } = ok;
  assert.match(variantProblems(noTelemetry).join(), /nothing to run or replay/);
  const set = allVariants([
    { name: 'a', generate: () => [ok, { ...ok, id: 'BAD' }] },
    { name: 'b', generate: () => [ok, { ...ok, strategy: 'ADS-0001' }] },
    {
      name: 'c',
      generate: () => {
        throw new Error('boom');
      },
    },
  ]);
  assert.deepEqual(
    set.variants.map((v) => `${v.strategy}/${v.id}`),
    ['ADS-0001/cfg-x', 'ADS-0003/cfg-x'],
  );
  assert.equal(set.problems.length, 3);
  assert.ok(set.problems.some((p) => p.startsWith('b/ADS-0003/cfg-x') && p.includes('duplicate')));
  assert.ok(set.problems.some((p) => p.startsWith('c: generator failed: boom')));
});

test('the shipped generators: valid, and at least the Docker configuration share per strategy', () => {
  const { variants, problems } = allVariants();
  assert.deepEqual(problems, []);
  const count = (s: string, k: string): number => variants.filter((v) => v.strategy === s && v.kind === k && v.id.startsWith('cfg-')).length;
  for (const [s, pos, ben] of [
    ['ADS-0003', 15, 8],
    ['ADS-0002', 10, 8],
    ['ADS-0001', 8, 6],
    ['ADS-0004', 3, 2],
  ] as const) {
    assert.ok(count(s, 'positive') >= pos, `${s}: ${count(s, 'positive')} positives`);
    assert.ok(count(s, 'benign') >= ben, `${s}: ${count(s, 'benign')} benign`);
  }
  // Benign variants never run the test image under an allowlisted name by prefix: they tag real product names.
  for (const v of variants.filter((x) => x.kind === 'benign')) assert.ok(!JSON.stringify(v.live ?? {}).includes('stowaway/'), v.id);
});
