// Analytics under container churn: 100,000 distinct short-lived containers pass through the
// engine with the shipped analytics plus a per-container baseline, state persisted to a real
// SQLite store. Reports throughput, peak RSS, and what each analytic kept and evicted (state must
// stay bounded however many containers come and go). Run after `npm run build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../dist/engine/index.js';
import { checkpointAll, createAnalytics, loadAnalyticDefs, parseAnalytics } from '../dist/analytics/index.js';
import { connectEvent, execEvent, lifecycleEvent, statsEvent } from '../dist/analytics/scenario.js';
import { openStore } from '../dist/sinks/store/index.js';

const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 100_000);
const IMAGES = 500;
const START_EVERY_MS = 500; // a new container every half second of event time
const LIFETIME_MS = 180_000;
const STATS_EVERY_MS = 30_000;
const CHUNK = 1000;

const content = fileURLToPath(new URL('../content/analytics/', import.meta.url));
const shipped = loadAnalyticDefs([content]);
const perContainer = parseAnalytics(`id: 7d4e1c2a-0b9f-4e3d-8a6c-5f2e1d0c9b8a
title: bench per-container egress baseline
type: baseline
logsource: {product: docker, category: container_stats}
entity: [container.id]
signal: {field: container.network.egress.bytes, counter: true, counter_key: [container.id]}
interval: 1m
baseline: {window: 30, warmup: 5, threshold: {mad: 6, ratio: 10}, floor: 1MB}
limits: {entities: 10000}
`);
const defs = [...shipped.defs, ...perContainer.defs];
const dir = mkdtempSync(join(tmpdir(), 'stowaway-analytics-bench-'));
const store = openStore(dir);
const { detectors } = createAnalytics(defs, { store: store.db });
const engine = createEngine({ ruleset: { match: () => [] }, detectors, lateness: '5s' });

const t0 = Date.parse('2026-11-02T00:00:00Z');
function containerEvents(i) {
  const c = { id: i.toString(16).padStart(64, '0'), name: `job-${i}`, image: `registry.local/team-${i % IMAGES}/app`, host: `node-${i % 50}` };
  const start = t0 + i * START_EVERY_MS;
  const evs = [lifecycleEvent(c, start, 'create', { autoRemove: i % 3 === 0 }), lifecycleEvent(c, start + 200, 'start')];
  let tx = 0;
  for (let t = STATS_EVERY_MS; t < LIFETIME_MS; t += STATS_EVERY_MS) {
    tx += 200_000 + (i % 7) * 10_000;
    evs.push(statsEvent(c, start + t, { txTotal: tx, cpu: 0.1 + (i % 5) * 0.01, mem: 0.3 }));
  }
  evs.push(execEvent(c, start + 1000, `/usr/local/bin/worker-${i % 40}`));
  evs.push(connectEvent(c, start + 1500, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 443));
  evs.push(lifecycleEvent(c, start + LIFETIME_MS, 'die'), lifecycleEvent(c, start + LIFETIME_MS + 100, 'destroy'));
  return evs;
}

let buffer = [];
let events = 0;
let findings = 0;
let engineNs = 0n; // time inside the engine, without generating the events
const begin = process.hrtime.bigint();
for (let first = 0; first < CONTAINERS; first += CHUNK) {
  for (let i = first; i < Math.min(first + CHUNK, CONTAINERS); i++) for (const e of containerEvents(i)) buffer.push([Date.parse(e['@timestamp']), e]);
  buffer.sort((a, b) => a[0] - b[0]);
  const until = first + CHUNK < CONTAINERS ? t0 + (first + CHUNK) * START_EVERY_MS : Infinity;
  let k = 0;
  const t = process.hrtime.bigint();
  for (; k < buffer.length && buffer[k][0] < until; k++) {
    findings += engine.process(buffer[k][1]).length;
    events++;
  }
  engineNs += process.hrtime.bigint() - t;
  buffer = buffer.slice(k);
}
const tf = process.hrtime.bigint();
findings += engine.flush().length;
checkpointAll(detectors);
engineNs += process.hrtime.bigint() - tf;
const secs = Number(process.hrtime.bigint() - begin) / 1e9;
const engineSecs = Number(engineNs) / 1e9;
const rssMb = process.resourceUsage().maxRSS / 1024;
const dbBytes = store.sizeBytes();
store.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `containers ${CONTAINERS}, events ${events}, findings ${findings}, ${secs.toFixed(2)} s total, ${engineSecs.toFixed(2)} s in the engine: ${Math.round(events / engineSecs)} events/s through ${detectors.length} analytics, peak RSS ${rssMb.toFixed(0)} MB, store ${(dbBytes / 1e6).toFixed(1)} MB`,
);
const st = engine.stats();
console.log(`engine detector errors ${st.detector_errors}`);
for (const d of detectors) {
  const s = d.stats();
  const tables = Object.keys(s)
    .filter((k) => k.endsWith('_kept'))
    .map((k) => k.slice(0, -5));
  const bounds = tables.map((t) => `${t}: kept ${s[`${t}_kept`]} evicted ${s[`${t}_evicted`]}`).join('; ');
  const extra = ['expired', 'terms_evicted', 'containers_decided', 'late']
    .filter((k) => s[k])
    .map((k) => `${k} ${s[k]}`)
    .join(', ');
  console.log(`  ${d.def.title.padEnd(62)} evaluated ${String(s.evaluated).padStart(8)}  ${bounds}${extra ? `  (${extra})` : ''}`);
}
