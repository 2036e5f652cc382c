// The fleet through a real nats-server with JetStream, with 1 and then 2 worker processes, in two modes:
// - live: three sensor processes publish ~50k recorded and generated events as fast as they can
//   while the workers run. events/s = events handled / time from the first publish to the last
//   event handled. Lag = time of a finding on the findings stream - time its triggering event
//   reached the events stream (both stamped by the server), p50/p99 over every finding.
// - backlog: every event is on the stream before the workers start, so nothing but the workers
//   limits the rate: a worker's own throughput. events/s = events / time from the first event a
//   worker reports handled to the last (process start-up excluded; the lease hand-over between
//   two workers included).
// STOWAWAY_BENCH_FLEET_EVENTS sets the volume. Needs `npm run build` and nats-server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { loadContent } from '../dist/runtime/index.js';
import { ensureFleet } from '../dist/fleet/nats.js';
import { ALERTS_STREAM, EVENTS_STREAM } from '../dist/fleet/subjects.js';
import { natsServerMissing, sleep, startJetStream, stowaway, streamMessages, until, writeFleetData } from '../dist/fleet/testdata.js';

if (natsServerMissing()) {
  console.log('SKIP fleet bench: nats-server is not installed (run scripts/test-env.sh)');
  process.exit(0);
}
const TOTAL = Number(process.env.STOWAWAY_BENCH_FLEET_EVENTS ?? 50_000);
const P = 4;
const content = await loadContent();
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Cumulative events the workers report handled (their status lines), replays after a takeover not counted. */
const handledBy = (ws) =>
  ws.reduce((a, w) => {
    const l = [...w.lines].reverse().find((x) => / events \(\d+ replayed\)/.test(x));
    const m = l ? /(\d+) events \((\d+) replayed\)/.exec(l) : undefined;
    return a + (m ? Number(m[1]) - Number(m[2]) : 0);
  }, 0);

async function run(workers, mode) {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-fleet-bench-'));
  const nats = await startJetStream(join(dir, 'js'));
  const nc = await connect({ servers: nats.url });
  const children = [];
  try {
    const data = await writeFleetData(dir, content, { hosts: 3, total: TOTAL, copies: 1, partitions: P });
    await ensureFleet(nc);
    const fleet = ['--fleet', nats.url, '--partitions', String(P)];
    const sensors = async () => {
      const ss = data.hosts.map((h, i) => {
        const c = stowaway(['sensor', ...fleet, '--name', h, '--from-file', ...data.files[i], '--format', 'ecs', '--spool-dir', join(dir, `spool-${h}`)]);
        children.push(c);
        return c;
      });
      for (const s of ss) if ((await s.exited) !== 0) throw new Error(s.lines.join('\n'));
    };
    if (mode === 'backlog') await sensors();
    const ws = Array.from({ length: workers }, (_, i) => {
      const c = stowaway(['worker', ...fleet, '--id', `w${i + 1}`, '--event-time', '--lease-ttl', '4s', '--status-every', '200ms']);
      children.push(c);
      return c;
    });
    let t0;
    let published;
    if (mode === 'backlog') {
      // Sampled every 50 ms: the first sample with events handled starts the clock.
      for (;;) {
        if (handledBy(ws) > 0) break;
        await sleep(50);
      }
      t0 = Date.now();
    } else {
      // Every worker up and every partition owned before the clock starts.
      await until('workers to hold every partition', () => ws.every((w) => w.lines.some((l) => /partitions \[[\d,]+\] of/.test(l))), 60_000);
      await until(
        'partitions shared',
        () => {
          const held = ws.map((w) => {
            const l = [...w.lines].reverse().find((x) => /partitions \[[\d,]*\] of/.test(x));
            return l ? /partitions \[([\d,]*)\]/.exec(l)[1].split(',').filter(Boolean).length : 0;
          });
          return held.reduce((a, b) => a + b, 0) === P && held.every((h) => h >= Math.floor(P / workers));
        },
        60_000,
      );
      t0 = Date.now();
      await sensors();
      published = Date.now() - t0;
    }
    await until('workers to handle every event', () => handledBy(ws) >= data.events, 600_000);
    const elapsed = Date.now() - t0;
    const row = {
      mode,
      workers,
      events: data.events,
      published_per_s: published ? Math.round(data.events / (published / 1000)) : '-',
      events_per_s: Math.round(data.events / (elapsed / 1000)),
      seconds: (elapsed / 1000).toFixed(1),
      findings: await streamMessages(nc, ALERTS_STREAM),
      lag_p50_ms: '-',
      lag_p99_ms: '-',
    };
    if (mode === 'live') {
      // Lag: server time of each finding minus server time of the event that brought it out.
      const jsm = await nc.jetstreamManager();
      const st = (await jsm.streams.info(ALERTS_STREAM)).state;
      const lags = [];
      for (let seq = st.first_seq; st.messages > 0 && seq <= st.last_seq; seq++) {
        const m = await jsm.streams.getMessage(ALERTS_STREAM, { seq });
        const f = m.json();
        const ev = await jsm.streams.getMessage(EVENTS_STREAM, { seq: f.seq });
        lags.push(m.time.getTime() - ev.time.getTime());
      }
      lags.sort((a, b) => a - b);
      row.lag_p50_ms = pct(lags, 50) ?? 0;
      row.lag_p99_ms = pct(lags, 99) ?? 0;
    }
    return row;
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGTERM');
    await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(10_000)]);
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`fleet bench: ${TOTAL} events, 3 sensors, ${P} partitions, ${cpus().length} cores (shared with the sensor processes and nats-server)`);
const rows = [];
for (const mode of ['backlog', 'live']) for (const w of [1, 2]) rows.push(await run(w, mode));
console.table(rows);
console.log("backlog: the workers alone, every event already on the stream (a worker's own rate on this machine, nats-server sharing the cores)");
console.log('live: lag is measured while the sensors publish as fast as they can: it is the queueing time of a saturated fleet, not an idle one');
