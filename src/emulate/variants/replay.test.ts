import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultStrategiesDir } from '../../ads/index.js';
import { validateVariantsReplay } from '../../cli/validate.js';
import { judgeVariant, summarize, type VariantResult } from './replay.js';
import type { Variant } from './types.js';

const positive: Variant = {
  strategy: 'ADS-0003',
  id: 'p',
  kind: 'positive',
  family: 'f',
  description: 'd',
  expect: ['a', 'b'],
  events: { format: 'ecs', lines: ['{}'] },
};
const benign: Variant = { ...positive, id: 'q', kind: 'benign', expect: [] };

test('judging: any expected rule is a detection; any shipped rule on a benign variant is a false alarm, analytics are not', () => {
  const rules = new Set(['a', 'b', 'c']);
  assert.equal(judgeVariant(positive, new Map([['b', 1]]), rules).verdict, 'pass');
  assert.deepEqual(judgeVariant(positive, new Map([['c', 2]]), rules), { verdict: 'miss', detail: 'none of a,b fired' });
  assert.deepEqual(judgeVariant(benign, new Map([['c', 1]]), rules), { verdict: 'false-alarm', detail: 'fired c' });
  assert.equal(judgeVariant(benign, new Map([['first-seen-analytic', 1]]), rules).verdict, 'pass');
});

test('figures per strategy, in total and per rule', () => {
  const r = (v: Variant, verdict: VariantResult['verdict'], fired: Array<[string, number]>): VariantResult => ({
    variant: v,
    verdict,
    fired: new Map(fired),
    events: 1,
    source: 'generated',
  });
  const rep = summarize(
    [
      r(positive, 'pass', [['a', 1]]),
      r({ ...positive, id: 'p2' }, 'miss', []),
      r(benign, 'false-alarm', [['c', 3]]),
      r({ ...benign, id: 'q2', strategy: 'ADS-0001' }, 'unrecorded', []),
    ],
    [],
    (id) => `title ${id}`,
  );
  assert.deepEqual(
    rep.strategies.map((s) => [s.strategy, s.detected, s.positives, s.quiet, s.benign, s.unreplayed]),
    [
      ['ADS-0001', 0, 0, 0, 1, 1],
      ['ADS-0003', 1, 2, 0, 1, 0],
    ],
  );
  assert.deepEqual([rep.total.detected, rep.total.positives, rep.total.quiet, rep.total.benign], [1, 2, 0, 2]);
  const byId = new Map(rep.rules.map((x) => [x.id, x]));
  assert.equal(byId.get('a')!.detected, 1);
  assert.equal(byId.get('b')!.detected, 0, 'an expected rule that never fired is listed with 0');
  assert.deepEqual([byId.get('c')!.benignVariants, byId.get('c')!.benignAlerts], [1, 3]);
  assert.equal(rep.ok, false);
});

test('every shipped variant replays from its recording: positives all detected, benign all quiet', async () => {
  let out = '';
  let err = '';
  const code = await validateVariantsReplay(
    { json: true },
    (s) => void (out += s),
    (s) => void (err += s),
  );
  const rep = JSON.parse(out) as {
    total: { positives: number; detected: number; benign: number; quiet: number; unreplayed: number };
    variants: Array<{ id: string; strategy: string; verdict: string }>;
  };
  const bad = rep.variants.filter((v) => v.verdict !== 'pass').map((v) => `${v.strategy}/${v.id}: ${v.verdict}`);
  assert.deepEqual(bad, [], err);
  assert.equal(rep.total.unreplayed, 0);
  assert.equal(rep.total.detected, rep.total.positives);
  assert.equal(rep.total.quiet, rep.total.benign);
  assert.ok(rep.total.positives >= 36 && rep.total.benign >= 24, JSON.stringify(rep.total));
  assert.equal(code, 0, err);
});

test('no default allowlist names the test image', () => {
  const ph = parse(readFileSync(join(defaultStrategiesDir(), 'placeholders.yml'), 'utf8')) as Record<string, string[]>;
  for (const [name, values] of Object.entries(ph)) for (const v of values) assert.ok(!v.toLowerCase().startsWith('stowaway'), `${name}: ${v}`);
});
