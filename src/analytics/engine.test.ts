// The shipped analytics inside the streaming engine, as scan and watch run them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/index.js';
import type { StowawayEvent } from '../model/event.js';
import { loadAnalytics } from './index.js';
import { execEvent, lifecycleEvent, statsEvent, type ContainerRef } from './scenario.js';

const CONTENT = fileURLToPath(new URL('../../content/analytics/', import.meta.url));

test('engine: analytics see every event, judge closed intervals on the watermark, and report their counters', () => {
  const { detectors, diagnostics } = loadAnalytics([CONTENT]);
  assert.deepEqual(diagnostics, []);
  const engine = createEngine({ ruleset: { match: () => [] }, detectors, lateness: '5s' });
  const t0 = Date.parse('2026-11-02T00:00:00Z');
  const api: ContainerRef = { id: '2'.repeat(64), name: 'api', image: 'acme/api' };
  const job: ContainerRef = { id: '3'.repeat(64), name: 'job', image: 'busybox' };
  const evs: StowawayEvent[] = [];
  let total = 0;
  for (let s = 0; s < 6 * 60 * 2; s++) {
    total += s >= 5 * 60 * 2 && s < 5 * 60 * 2 + 10 ? 40_000_000 : 1_000_000;
    evs.push(statsEvent(api, t0 + s * 30_000, { txTotal: total }));
  }
  const at = t0 + 5.5 * 3_600_000;
  evs.push(
    lifecycleEvent(job, at, 'create', { autoRemove: true }),
    execEvent(job, at + 1000, '/usr/bin/wget', ['-O-', 'http://203.0.113.7/x']),
    statsEvent(job, at + 2000, { txTotal: 0 }),
    statsEvent(job, at + 12_000, { txTotal: 60_000_000 }),
    lifecycleEvent(job, at + 20_000, 'die', { autoRemove: true }),
  );
  evs.sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const found = evs.flatMap((e) => engine.process(e)).concat(engine.flush());
  const titles = found.map((f) => f.rule.title).sort();
  assert.deepEqual(titles, ['Outbound bytes spike per container image', 'Short-lived container moved a large volume of data out']);
  const st = engine.stats();
  assert.equal(st.detector_errors, 0);
  assert.equal(st.detectors['analytic:3c2961f0-a5a8-4148-aa73-4efd116dafc5']?.evaluated, 722); // 720 samples of api, 2 of the job
});

test('engine: the end-of-input flush persists what analytics learned, and a new engine resumes from it', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openStore } = await import('../sinks/store/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-analytics-engine-'));
  try {
    const t0 = Date.parse('2026-11-02T00:00:00Z');
    const api: ContainerRef = { id: '4'.repeat(64), name: 'api', image: 'acme/api' };
    let store = openStore(dir);
    let { detectors } = loadAnalytics([CONTENT], { store: store.db });
    let engine = createEngine({ ruleset: { match: () => [] }, detectors, lateness: '5s' });
    for (let s = 0; s < 120; s++) engine.process(statsEvent(api, t0 + s * 30_000, { txTotal: s * 1_000_000 }));
    engine.flush();
    store.close();

    store = openStore(dir);
    ({ detectors } = loadAnalytics([CONTENT], { store: store.db }));
    const egress = detectors.find((d) => d.def.id === '3c2961f0-a5a8-4148-aa73-4efd116dafc5')!;
    const ent = egress.view().entities[0]!;
    assert.deepEqual(ent.entity, { 'container.image.name': 'acme/api' });
    assert.equal(ent.samples, 11, 'eleven closed five-minute intervals; the twelfth was still open');
    engine = createEngine({ ruleset: { match: () => [] }, detectors, lateness: '5s' });
    engine.process(statsEvent(api, t0 + 120 * 30_000, { txTotal: 120 * 1_000_000 }));
    engine.flush();
    assert.equal(egress.view().entities[0]!.samples, 12, 'the open interval survived and closed after the restart');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
