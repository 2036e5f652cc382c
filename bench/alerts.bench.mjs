// Alert path throughput: findings → exceptions/dedup/rate limit → SQLite store (WAL, synchronous=FULL).
// Run with `npm run bench alerts` (builds first). Prints findings/s for three shapes of load and query latency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlertPipeline } from '../dist/alerts/pipeline.js';
import { finding } from '../dist/alerts/fixtures.js';
import { openStore } from '../dist/sinks/store/index.js';

const at = (i, n, spanS) => new Date(Date.UTC(2026, 10, 22) + Math.floor((i * spanS * 1000) / n)).toISOString();

function run(name, n, make, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-bench-'));
  const store = openStore(dir);
  const p = createAlertPipeline({ store, ...opts });
  const findings = Array.from({ length: n }, (_, i) => make(i, n));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1000) p.process(findings.slice(i, i + 1000));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const s = p.stats();
  const q0 = process.hrtime.bigint();
  const reps = 50;
  for (let i = 0; i < reps; i++) store.queryAlerts({ technique: 'T1611', status: ['new'], limit: 100 });
  const qms = Number(process.hrtime.bigint() - q0) / 1e6 / reps;
  console.log(
    `${name.padEnd(34)} ${n} findings in ${ms.toFixed(0)} ms = ${Math.round(n / (ms / 1000))} findings/s; ` +
      `${s.created} alerts, ${s.merged} merged, ${s.held_back} held back; store ${(store.sizeBytes() / 1e6).toFixed(1)} MB; query ${qms.toFixed(2)} ms`,
  );
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

run('flood (1 rule, 10 containers)', 100_000, (i, n) => finding({ time: at(i, n, 1800), id: `c${i % 10}` }));
run('distinct entities (no dedup)', 20_000, (i, n) => finding({ time: at(i, n, 3600), id: `c${i}` }), { rateLimit: { perRule: 1_000_000, windowS: 60 } });
run('distinct entities, rate-limited', 100_000, (i, n) => finding({ time: at(i, n, 3600), id: `c${i}` }));
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
