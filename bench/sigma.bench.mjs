// Sigma core throughput: the whole SigmaHQ `rules/` corpus loaded, events/s on one core for
// Linux process creation, Kubernetes audit and Sysmon events, each beside the JSON.parse-only
// rate of the same NDJSON stream, in CPU time; rule-load time and peak RSS. Runs against dist/ (npm run build).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linuxProcessEvents, k8sAuditEvents, sysmonEvents } from './gen/events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.STOWAWAY_SHARED ?? join(here, '../../shared');
const corpus = join(shared, 'sigma', 'rules');
if (!existsSync(corpus)) {
  console.log(`sigma.bench: SKIPPED — ${corpus} not found (set STOWAWAY_SHARED)`);
  process.exit(0);
}
const dist = join(here, '../dist/sigma/index.js');
if (!existsSync(dist)) {
  console.error('sigma.bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { loadRules, compileRules } = await import(dist);

const N = Number(process.env.BENCH_EVENTS ?? 100000);
const REPEAT = 3;

const t0 = performance.now();
const load = await loadRules([corpus]);
const t1 = performance.now();
const { ruleset, diagnostics } = compileRules(load);
const t2 = performance.now();
if (globalThis.gc) globalThis.gc();
const rssLoaded = process.memoryUsage().rss / 1048576;
console.log(
  `rules: ${ruleset.size} compiled from ${load.files} files (${diagnostics.filter((d) => d.severity === 'error').length} refused); parse ${(t1 - t0).toFixed(0)} ms, compile ${(t2 - t1).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms`,
);

// CPU time of this process (ms), best of REPEAT: on a shared machine wall time also counts other
// jobs' turns on the core, and the engine-alone figure is a difference of two timings.
function best(fn) {
  let b = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const s = process.cpuUsage();
    fn();
    const d = process.cpuUsage(s);
    b = Math.min(b, (d.user + d.system) / 1000);
  }
  return b;
}

// Build every routing plan and index once on a small sample, so memory can be read before the
// large test streams exist.
for (const gen of [linuxProcessEvents, k8sAuditEvents, sysmonEvents]) for (const e of gen(2000, 99)) ruleset.match(e);
if (globalThis.gc) globalThis.gc();
const rssPlans = process.memoryUsage().rss / 1048576;
const results = {};
for (const [name, gen] of [
  ['linux process_creation', linuxProcessEvents],
  ['kubernetes audit', k8sAuditEvents],
  ['windows sysmon', sysmonEvents],
]) {
  let lines = gen(N).map((e) => JSON.stringify(e));
  const bytes = lines.reduce((a, l) => a + l.length + 1, 0);
  let sink = 0;
  // Warm both paths so the JIT has compiled them before timing.
  for (let i = 0; i < Math.min(N, 20000); i++) sink += ruleset.match(JSON.parse(lines[i])).length;
  const before = ruleset.stats();
  const parseMs = best(() => {
    for (const l of lines) sink += JSON.parse(l)['@timestamp'].length;
  });
  let matched = 0;
  const fullMs = best(() => {
    matched = 0;
    for (const l of lines) matched += ruleset.match(JSON.parse(l)).length;
  });
  const after = ruleset.stats();
  const evs = (ms) => Math.round(N / (ms / 1000));
  const engineMs = Math.max(fullMs - parseMs, 0);
  const perEvent = (k) => ((after[k] - before[k]) / (N * REPEAT)).toFixed(1);
  results[name] = {
    events: N,
    avg_bytes: Math.round(bytes / N),
    parse_only_eps: evs(parseMs),
    parse_and_match_eps: evs(fullMs),
    engine_only_eps: evs(engineMs),
    engine_cost_vs_parse: +(engineMs / parseMs).toFixed(2),
    routed_rules_per_event: +perEvent('routed'),
    evaluated_rules_per_event: +perEvent('evaluated'),
    matches: matched,
  };
  console.log(
    `${name.padEnd(24)} parse-only ${evs(parseMs).toLocaleString('en-US').padStart(10)} ev/s | parse+match ${evs(fullMs).toLocaleString('en-US').padStart(10)} ev/s | engine alone ${evs(engineMs).toLocaleString('en-US').padStart(10)} ev/s | engine/parse ${(engineMs / parseMs).toFixed(2)}x | rules routed/event ${perEvent('routed')}, evaluated/event ${perEvent('evaluated')} | matches ${matched} | ${Math.round(bytes / N)} B/event`,
  );
  if (sink < 0) console.log(sink);
  lines = [];
}
const rss = process.resourceUsage().maxRSS / 1024;
console.log(
  `RSS: ${rssLoaded.toFixed(0)} MiB after rule load, ${rssPlans.toFixed(0)} MiB with the routing plans and indexes of all three streams built; peak ${rss.toFixed(0)} MiB (includes the ${N.toLocaleString('en-US')}-event test streams held in memory)`,
);
console.log(
  JSON.stringify({
    bench: 'sigma',
    rules: ruleset.size,
    load_ms: Math.round(t2 - t0),
    rss_after_load_mib: Math.round(rssLoaded),
    rss_with_plans_mib: Math.round(rssPlans),
    peak_rss_mib: Math.round(rss),
    results,
  }),
);
