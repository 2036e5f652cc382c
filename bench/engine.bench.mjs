// Engine runtime + correlation throughput, and bounded state under a flood of group keys.
// Runs against dist/ (npm run build first). Prints events/s, peak RSS and the counters
// that prove the bound held (groups, evicted).
import { parse as parseYaml } from 'yaml';
import { createEngine } from '../dist/engine/engine.js';
import { parseCorrelation } from '../dist/sigma/correlation/parse.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const mb = (b) => (b / 1048576).toFixed(1);

function corr(yaml) {
  const { rule, diagnostics } = parseCorrelation(parseYaml(yaml), { file: 'bench' });
  if (!rule) throw new Error(JSON.stringify(diagnostics));
  return rule;
}

/** Every event matches the base rules it names; the bench measures the runtime, not the matcher. */
const metas = new Map();
const ruleset = {
  match(ev) {
    return ev.hits.map((n) => {
      let m = metas.get(n);
      if (!m) metas.set(n, (m = { rule: { id: n, name: n, title: n, kind: 'sigma', level: 'low', tags: [] }, selections: ['selection'], generate: false }));
      return m;
    });
  },
};

function event(i, ms, host, user, hits, bytes) {
  return {
    '@timestamp': new Date(T0 + ms).toISOString(),
    event: {},
    stowaway: { source: 'bench', logsource: {} },
    host: { name: host },
    user: { name: user },
    destination: { bytes },
    hits,
  };
}

function run(label, rules, n, gen, opts = {}) {
  const engine = createEngine({ ruleset, correlations: rules, lateness: opts.lateness ?? '5s', limits: opts.limits });
  // Throughput runs on prepared events; the flood makes them on the fly so RSS shows engine state only.
  const events = [];
  if (!opts.onTheFly) for (let i = 0; i < n; i++) events.push(gen(i));
  globalThis.gc?.();
  const t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let findings = 0;
  const thirds = [];
  for (let i = 0; i < n; i++) {
    findings += engine.process(opts.onTheFly ? gen(i) : events[i]).length;
    if ((i & 0x3fff) === 0) sampleRss();
    if (opts.onTheFly && (i + 1) % Math.floor(n / 3) === 0) {
      globalThis.gc?.();
      thirds.push(mb(process.memoryUsage().heapUsed));
    }
  }
  if (thirds.length) console.log(`  heap used after each third of the flood (MB): ${thirds.join(', ')}`);
  findings += engine.flush().length;
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  sampleRss();
  const st = engine.stats();
  const per = Object.entries(st.correlations.rules)
    .map(([id, c]) => `${id}: peak_groups=${c.peak_groups} evicted=${c.evicted} expired=${c.expired} findings=${c.findings}`)
    .join('; ');
  // CPU seconds as well: on a shared machine wall time says more about the neighbours.
  console.log(
    `${label}: ${n} events in ${secs.toFixed(2)} s wall (${Math.round(n / secs)} events/s), ${cpuSecs.toFixed(2)} s CPU (${Math.round(n / cpuSecs)} events/CPU-s), ${findings} findings, late=${st.late}, peak RSS ${mb(peakRss)} MB`,
  );
  console.log(`  ${per}`);
  return st;
}

const all = [
  corr(`title: burst\nid: ec\ncorrelation: { type: event_count, rules: [fail], group-by: [host.name], timespan: 1m, condition: { gte: 2 } }`),
  corr(`title: spray\nid: vc\ncorrelation: { type: value_count, rules: [fail], group-by: [host.name], timespan: 5m, condition: { field: user.name, gte: 4 } }`),
  corr(
    `title: exfil\nid: sum\ncorrelation: { type: value_sum, rules: [web], group-by: [user.name], timespan: 1h, condition: { field: destination.bytes, gt: 5000000 } }`,
  ),
  corr(`title: recon\nid: tmp\ncorrelation: { type: temporal, rules: [fail, web, exec], group-by: [host.name], timespan: 2m }`),
  corr(`title: chain\nid: ord\ncorrelation: { type: temporal_ordered, rules: [fail, exec], group-by: [host.name], timespan: 2m }`),
];
const HITS = [['fail'], ['web'], ['exec'], ['fail', 'web']];

// 1) Many groups: 2 000 hosts, 1 000 users, 100 events per second of event time, up to 3 s out of order.
const N = Number(process.env.BENCH_EVENTS ?? 300_000);
run('correlations x5, 2k hosts', all, N, (i) => {
  const jitter = (i * 7919) % 3000; // inside the 5 s lateness
  return event(i, i * 10 + jitter, `h${(i * 31) % 2000}`, `u${(i * 7) % 1009}`, HITS[Math.floor(i / 2000) % 4], (i % 97) * 1000);
});

// 2) Flood: every event a new group key, 10 000-group limit per correlation.
peakRss = 0;
const LIMIT = 10_000;
const st = run('flood of distinct keys', all, N, (i) => event(i, i * 10, `flood-${i}`, `u-${i}`, HITS[i % 4], 1), {
  limits: { maxGroups: LIMIT },
  onTheFly: true,
});
const maxGroups = Math.max(...Object.values(st.correlations.rules).map((c) => c.peak_groups));
console.log(`  bound held: max peak_groups ${maxGroups} <= ${LIMIT}: ${maxGroups <= LIMIT}, evicted total ${st.evicted}`);
if (maxGroups > LIMIT) process.exit(1);
