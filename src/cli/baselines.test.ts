import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpointAll, createAnalytics, loadAnalyticDefs } from '../analytics/index.js';
import { execEvent, statsEvent } from '../analytics/scenario.js';
import { openStore } from '../sinks/store/index.js';
import { baselinesReport } from './baselines.js';

const SHIPPED = fileURLToPath(new URL('../../content/analytics/', import.meta.url));

test('baselines show reads learned state from the store through the shipped definitions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-baselines-'));
  try {
    const store = openStore(dir);
    const { defs } = loadAnalyticDefs([SHIPPED]);
    const { detectors } = createAnalytics(defs, { store: store.db });
    const c = { id: '1'.repeat(64), name: 'api', image: 'acme/api' };
    const t0 = Date.parse('2026-11-02T00:00:00Z');
    for (let s = 0; s < 120; s++) {
      const ev = statsEvent(c, t0 + s * 30_000, { txTotal: s * 1_000_000, cpu: 0.2 });
      for (const d of detectors) d.process(ev);
    }
    for (const d of detectors) d.process(execEvent(c, t0 + 1000, '/usr/bin/node'));
    for (const d of detectors) d.advance!(new Date(t0 + 3_600_000).toISOString());
    checkpointAll(detectors); // as on shutdown
    store.close();

    const { report, warnings } = baselinesReport(dir, [SHIPPED]);
    assert.deepEqual(warnings, []);
    const egress = report.analytics.find((a) => a.id === '3c2961f0-a5a8-4148-aa73-4efd116dafc5');
    assert.ok(egress, 'egress baseline is reported');
    assert.equal(egress.entities.length, 1);
    assert.deepEqual(egress.entities[0]!.entity, { 'container.image.name': 'acme/api' });
    assert.equal(egress.entities[0]!.samples, 12);
    assert.equal(egress.entities[0]!.median, 10_000_000);
    const exe = report.analytics.find((a) => a.type === 'first_seen' && a.entities.length > 0);
    assert.equal(exe?.entities[0]!.terms, 1);
    assert.deepEqual(report.orphaned, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
