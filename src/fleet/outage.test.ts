// NATS down for 30 seconds under load, against a real nats-server with JetStream: three sensors
// keep publishing recorded and generated events at a steady pace; the server is stopped
// mid-stream and started again on the same port and store. The sensors must spool meanwhile,
// then deliver, and the events stream must hold every event exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { StowawayEvent } from '../model/event.js';
import { createAlertPath, loadContent } from '../runtime/index.js';
import { openStore, type Store } from '../sinks/store/index.js';
import { createCollector, fleetIds, type Collector } from './collector.js';
import { createSensor, type Sensor } from './sensor.js';
import { ALERTS_STREAM, EVENTS_STREAM } from './subjects.js';
import { natsServerMissing, readNdjson, referenceRun, sleep, startJetStream, streamIds, streamMessages, until, writeFleetData } from './testdata.js';
import { createWorker, type Worker } from './worker.js';

const P = 4;
const OUTAGE_MS = 30_000;
// Per sensor: publishing lasts well past the outage at this pace.
const RATE_PER_S = 220;

test(
  'NATS stopped for 30 s under load: the sensors spool, then deliver every event exactly once, and a worker finds what one process finds',
  { timeout: 240_000 },
  async (t) => {
    if (natsServerMissing()) {
      console.error('SKIP outage test: nats-server is not installed (run scripts/test-env.sh)');
      t.skip('nats-server not installed');
      return;
    }
    const total = Number(process.env.STOWAWAY_OUTAGE_EVENTS ?? 30_000);
    const dir = mkdtempSync(join(tmpdir(), 'stowaway-outage-'));
    const nats = await startJetStream(join(dir, 'js'));
    const sensors: Sensor[] = [];
    const log: string[] = [];
    let worker: Worker | undefined;
    let collector: Collector | undefined;
    let store: Store | undefined;
    try {
      const content = await loadContent();
      const data = await writeFleetData(dir, content, { hosts: 3, total, copies: 1, partitions: P });
      const perHost: StowawayEvent[][] = [];
      for (const [f1, f2] of data.files) perHost.push([...(await readNdjson(f1)), ...(await readNdjson(f2))]);
      const expected = new Set(perHost.flat().map((e) => e.event.id!));
      assert.equal(expected.size, data.events, 'every event has its own id');

      for (const h of data.hosts)
        sensors.push(
          createSensor({
            servers: nats.url,
            host: h,
            partitions: P,
            spoolDir: join(dir, `spool-${h}`),
            spoolMaxBytes: 256 * 1024 * 1024,
            publishTimeoutMs: 2000,
            log: (l) => log.push(`${h} ${l}`),
          }),
        );
      for (const s of sensors) assert.equal(await s.connected(10_000), true, 'sensor connected');

      // Steady publishing, as a live source produces: RATE_PER_S per sensor.
      const started = Date.now();
      const feeds = sensors.map(async (s, i) => {
        const evs = perHost[i]!;
        for (let k = 0; k < evs.length; k++) {
          s.publish(evs[k]!, 'auditd');
          if (k % 50 === 49) {
            await s.ready();
            const due = started + ((k + 1) * 1000) / RATE_PER_S;
            if (due > Date.now()) await sleep(due - Date.now());
          }
        }
      });
      const sum = (f: (s: Sensor) => number): number => sensors.reduce((a, s) => a + f(s), 0);

      await sleep(6000);
      const ackedBefore = sum((s) => s.stats().acked);
      assert.ok(ackedBefore > 0, 'events flow before the outage');
      await nats.stop();
      const downAt = Date.now();
      await sleep(OUTAGE_MS / 2);
      const mid = sensors.map((s) => s.stats());
      await sleep(OUTAGE_MS / 2 - 3000);
      const late = sensors.map((s) => s.stats());
      const spooledDuring = late.reduce((a, s) => a + s.spool.spooled, 0);
      console.log(
        `outage: ${ackedBefore} events acknowledged before the stop; during the outage: ${mid.reduce((a, s) => a + s.spool.spooled, 0)} spooled at 15 s, ${spooledDuring} at 27 s; connected ${late.map((s) => s.connected).join(',')}`,
      );
      for (const [i, s] of late.entries()) {
        assert.equal(s.connected, false, `sensor ${data.hosts[i]} knows NATS is down`);
        assert.ok(s.spool.spooled > mid[i]!.spool.spooled, `sensor ${data.hosts[i]} keeps spooling during the outage`);
        assert.ok(s.spool.bytes > 0, `sensor ${data.hosts[i]} has a spool on disk`);
      }
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
      await nats.start();
      console.log(`outage: nats-server down for ${((Date.now() - downAt) / 1000).toFixed(1)} s, started again on the same port and store`);

      await Promise.all(feeds);
      console.log(`outage: publishing lasted ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await until(
        'every sensor to settle',
        async () => await Promise.race([Promise.all(sensors.map((s) => s.settled())).then(() => true), sleep(1000).then(() => false)]),
        90_000,
      );

      const st = sensors.map((s) => s.stats());
      const nc = await connect({ servers: nats.url });
      try {
        const got = await streamIds(nc, EVENTS_STREAM);
        const missing = [...expected].filter((id) => !got.has(id));
        const extra = [...got.keys()].filter((id) => !expected.has(id));
        const twice = [...got.values()].filter((n) => n > 1).length;
        const spooled = st.reduce((a, s) => a + s.spool.spooled, 0);
        const delivered = st.reduce((a, s) => a + s.spool.delivered, 0);
        const duplicates = st.reduce((a, s) => a + s.duplicates, 0);
        console.log(
          `outage: ${data.events} events sent by 3 sensors (${data.scenarioEvents} from ${data.scenarios} recorded scenarios); ${spooled} spooled in all, ${delivered} delivered from the spool, ${st.reduce((a, s) => a + s.spool.dropped, 0)} dropped; ${duplicates} repeats dropped by the stream; stream holds ${got.size} ids: missing ${missing.length}, extra ${extra.length}, twice ${twice}`,
        );
        for (const l of log.filter((x) => /unreachable|delivered|failed/.test(x)).slice(0, 12)) console.log(`  ${l}`);
        assert.deepEqual(missing.slice(0, 5), [], `no event lost (${missing.length} missing)`);
        assert.deepEqual(extra, [], 'nothing on the stream that was not sent');
        assert.equal(twice, 0, 'no event twice on the stream');
        assert.equal(got.size, data.events);
        for (const [i, s] of st.entries()) {
          assert.equal(s.events, perHost[i]!.length, 'every event handed over');
          assert.equal(s.spool.bytes, 0, 'spool drained');
          assert.equal(s.spool.dropped, 0, 'nothing dropped');
          assert.equal(s.spool.delivered, s.spool.spooled, 'every spooled event delivered');
          assert.equal(s.inflight, 0);
        }

        // Then detection over what went through the outage: one worker and the store find exactly
        // what the same events find in one process.
        sensors[0]!.end();
        await sensors[0]!.settled();
        const ref = await referenceRun(content, data, P);
        store = openStore(join(dir, 'data'));
        const { ids, newId } = fleetIds();
        const { pipeline } = createAlertPath({ dataDir: join(dir, 'data'), newId, rateLimit: { perRule: 1e9, windowS: 60 } }, store, content, () => undefined);
        collector = createCollector({ servers: nats.url, store, pipeline, ids });
        await collector.start();
        worker = createWorker({ servers: nats.url, id: 'w1', partitions: P, content, wallClock: false, leaseTtlMs: 4000, checkpointEveryMs: 1000 });
        await worker.start();
        await until('every finding', async () => (await streamMessages(nc, ALERTS_STREAM)) >= ref.ids.size, 90_000);
        await sleep(1000); // a finding too many would arrive now
        await collector.idle();
        const found = await streamIds(nc, ALERTS_STREAM);
        const fMissing = [...ref.ids].filter((id) => !found.has(id));
        const fExtra = [...found.keys()].filter((id) => !ref.ids.has(id));
        const stored = (store.db.prepare('SELECT count(*) AS n FROM fleet_findings').get() as { n: number }).n;
        const ws = worker.stats();
        console.log(
          `outage: then 1 worker over the stream: ${ws.events} events read (${ws.replayed} replayed, ${ws.takeovers} restarts from a checkpoint), findings stream ${found.size} (single-process reference ${ref.ids.size} ${JSON.stringify(ref.byKind)}); missing ${fMissing.length}, extra ${fExtra.length}; ${stored} stored`,
        );
        assert.deepEqual(fMissing, [], 'no finding lost');
        assert.deepEqual(fExtra, [], 'no finding the single-process run does not have');
        assert.ok(
          [...found.values()].every((n) => n === 1),
          'each finding once on the stream',
        );
        assert.equal(stored, ref.ids.size, 'every finding stored once');
        // Events re-read after a partition restarted count again, so at least every event.
        assert.ok(ws.events >= data.events, 'the worker read every event');
      } finally {
        await nc.close();
      }
    } finally {
      await worker?.stop().catch(() => undefined);
      await Promise.race([collector?.stop(), sleep(5000)]).catch(() => undefined);
      store?.close();
      for (const s of sensors) await s.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
