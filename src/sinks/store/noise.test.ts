import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from './index.js';
import { noisiest } from './noise.js';
import { createAlertPipeline } from '../../alerts/pipeline.js';
import { finding } from '../../alerts/fixtures.js';

const at = (s: number): string => new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + s * 1000).toISOString();

test('noisiest: rules and images ordered by the findings they stand for, with false positives and shares', () => {
  const store = openStore(':memory:');
  try {
    const p = createAlertPipeline({ store, dedupWindowS: 60 });
    const loud = { id: 'loud-rule', title: 'Loud rule' };
    const quiet = { id: 'quiet-rule', title: 'Quiet rule' };
    // 30 findings of the loud rule on one image merge into one alert; the quiet rule fires twice elsewhere.
    p.process(Array.from({ length: 30 }, (_, i) => finding({ rule: loud, time: at(i), image: 'corp/backup', id: 'a'.repeat(64) })));
    p.process([
      finding({ rule: quiet, time: at(0), image: 'nginx', id: 'b'.repeat(64) }),
      finding({ rule: quiet, time: at(1), image: 'redis', id: 'c'.repeat(64) }),
    ]);
    const fp = store.queryAlerts({ rule: 'loud-rule' }).alerts[0]!;
    store.setStatus(fp.id, 'false_positive');
    const r = noisiest(store.db, { limit: 5 });
    assert.deepEqual(r.total, { alerts: 3, findings: 32 });
    assert.deepEqual(
      r.rules.map((x) => [x.rule_id, x.alerts, x.findings, x.false_positive, x.images]),
      [
        ['loud-rule', 1, 30, 1, 1],
        ['quiet-rule', 2, 2, 0, 2],
      ],
    );
    assert.equal(r.images[0]!.image, 'corp/backup:latest');
    assert.deepEqual(r.images[0]!.rules, ['Loud rule']);
    assert.equal(noisiest(store.db, { limit: 1 }).rules.length, 1);
    assert.equal(noisiest(store.db, { since: at(3600) }).total.alerts, 0, 'since filters by last seen');
  } finally {
    store.close();
  }
});
