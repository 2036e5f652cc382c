// The fleet against a real nats-server with JetStream: sensors as processes publishing recorded
// and generated events of three hosts, two worker processes, one killed with SIGKILL mid-stream
// and restarted; the findings must be exactly those of the same events run in one process.
// STOWAWAY_FLEET_EVENTS sets the volume (default 30 000; the closing report runs 200 000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { loadContent } from '../runtime/index.js';
import { openStore } from '../sinks/store/index.js';
import { createAlertPath } from '../runtime/index.js';
import { createCollector, fleetIds } from './collector.js';
import { Leases } from './lease.js';
import { ensureFleet } from './nats.js';
import { ALERTS_STREAM, DLQ_STREAM, EVENTS_STREAM, eventSubject } from './subjects.js';
import { natsServerMissing, referenceRun, startJetStream, stowaway, streamIds, streamMessages, until, writeFleetData, sleep, type Child } from './testdata.js';

const P = 4;

test(
  'fleet: 3 sensors, 2 workers, one killed with SIGKILL mid-stream and restarted: the findings equal the single-process run, none lost, none twice',
  { timeout: 600_000 },
  async (t) => {
    if (natsServerMissing()) {
      console.error('SKIP fleet test: nats-server is not installed (run scripts/test-env.sh)');
      t.skip('nats-server not installed');
      return;
    }
    // 20,000 events in npm test; STOWAWAY_FLEET_EVENTS=200000 for the full-size run (docs/scale-out.md).
    const total = Number(process.env.STOWAWAY_FLEET_EVENTS ?? 20_000);
    const dir = mkdtempSync(join(tmpdir(), 'stowaway-fleet-'));
    const nats = await startJetStream(join(dir, 'js'));
    const children: Child[] = [];
    const run = (args: string[]): Child => {
      const c = stowaway(args);
      children.push(c);
      return c;
    };
    const nc = await connect({ servers: nats.url });
    try {
      const content = await loadContent();
      const data = await writeFleetData(dir, content, { hosts: 3, total, copies: Math.max(2, Math.round(total / 10_000)), partitions: P });
      const ref = await referenceRun(content, data, P);
      console.log(
        `fleet: ${data.events} events (${data.scenarioEvents} from ${data.scenarios} recorded scenarios, copied per host; the rest generated) on hosts ${data.hosts.join(', ')}; single-process reference: ${ref.ids.size} findings ${JSON.stringify(ref.byKind)}, ${ref.spanning.length} correlations spanning the kill point`,
      );
      assert.ok(ref.spanning.length > 0, 'the data splits a correlation between the parts');

      const objs = await ensureFleet(nc);
      // The store side, in this process: findings → alert pipeline → SQLite.
      const store = openStore(join(dir, 'data'));
      const { ids, newId } = fleetIds();
      const { pipeline } = createAlertPath({ dataDir: join(dir, 'data'), newId, rateLimit: { perRule: 1e9, windowS: 60 } }, store, content, () => undefined);
      const collector = createCollector({ servers: nats.url, store, pipeline, ids });
      await collector.start();

      const fleet = ['--fleet', nats.url, '--partitions', String(P)];
      const worker = (id: string): Child =>
        run([
          'worker',
          ...fleet,
          '--id',
          id,
          '--lease-ttl',
          '4s',
          '--checkpoint-every',
          '300ms',
          '--checkpoint-events',
          '2000',
          '--event-time',
          '--status-every',
          '1s',
        ]);
      let w1 = worker('w1');
      worker('w2');
      const leases = new Leases(objs.leases, 'observer', 1);
      const owners = async (): Promise<Array<string | undefined>> => leases.table(P);
      await until(
        'both workers to hold two partitions each',
        async () => {
          const o = await owners();
          return o.filter((x) => x === 'w1').length === 2 && o.filter((x) => x === 'w2').length === 2;
        },
        60_000,
      );

      const sensors = (part: 0 | 1): Child[] =>
        data.hosts.map((h, i) =>
          run(['sensor', ...fleet, '--name', h, '--from-file', data.files[i]![part], '--format', 'ecs', '--spool-dir', join(dir, `spool-${h}`)]),
        );
      for (const c of sensors(0)) assert.equal(await c.exited, 0, c.lines.join('\n'));
      // Poison: what is not an event goes to the dead-letter stream, counted, and stops nothing.
      const js = nc.jetstream();
      await js.publish(eventSubject(0, 'bad', 'x'), 'not json {', { msgID: 'poison-1' });
      await js.publish(eventSubject(1, 'bad', 'x'), '[1,2]', { msgID: 'poison-2' });
      await js.publish(eventSubject(2, 'bad', 'x'), '{"@timestamp":"2026-01-05T00:00:00Z","event":{}}', { msgID: 'poison-3' });

      // Part 1 is in: its findings are out once the workers have read it.
      await until('the findings of part 1', async () => (await streamMessages(nc, ALERTS_STREAM)) >= ref.afterPart1, 120_000);
      const w1Partitions = (await owners()).flatMap((o, p) => (o === 'w1' ? [p] : []));
      w1.proc.kill('SIGKILL');
      await w1.exited;
      console.log(`fleet: SIGKILL to worker w1 holding partitions [${w1Partitions.join(',')}] after part 1`);
      const part2 = sensors(1);
      await until('w2 to take over every partition', async () => (await owners()).every((o) => o === 'w2'), 60_000);
      w1 = worker('w1');
      await until('the restarted w1 to get its share back', async () => (await owners()).filter((o) => o === 'w1').length === 2, 60_000);
      for (const c of part2) assert.equal(await c.exited, 0, c.lines.join('\n'));
      const end = run(['sensor', ...fleet, '--name', 'end', '--end', '--spool-dir', join(dir, 'spool-end')]);
      assert.equal(await end.exited, 0, end.lines.join('\n'));

      await until('every finding', async () => (await streamMessages(nc, ALERTS_STREAM)) >= ref.ids.size, 180_000);
      await sleep(1500); // a finding too many would arrive now
      await collector.idle();
      const got = await streamIds(nc, ALERTS_STREAM);
      const missing = [...ref.ids].filter((id) => !got.has(id));
      const extra = [...got.keys()].filter((id) => !ref.ids.has(id));
      const cs = collector.stats();
      const stored = (store.db.prepare('SELECT count(*) AS n FROM fleet_findings').get() as { n: number }).n;
      const ps = pipeline.stats();
      console.log(
        `fleet: findings stream ${got.size} (reference ${ref.ids.size}); missing ${missing.length}, extra ${extra.length}; store received ${cs.received} (${cs.duplicates} repeats dropped), ${stored} findings stored → ${ps.created} alerts, ${ps.merged} merged; dead letters ${cs.dead_letters} ${JSON.stringify(cs.dead_letters_by_reason)}`,
      );
      const logs = children.flatMap((c) => c.lines);
      for (const l of logs.filter((x) => /takeovers|replaying from|handing back/.test(x)).slice(-8)) console.log(`  ${l}`);
      assert.deepEqual(missing, [], 'no finding lost');
      assert.deepEqual(extra, [], 'no finding the single-process run does not have');
      assert.ok(
        [...got.values()].every((n) => n === 1),
        'each finding once on the stream',
      );
      for (const id of ref.spanning) assert.ok(got.has(id), `correlation ${ref.findings.get(id)!.rule.title} spanning the kill fired`);
      assert.equal(stored, ref.ids.size, 'every finding stored once');
      assert.equal(ps.created + ps.merged + ps.excepted + ps.held_back, ref.ids.size);
      assert.ok(
        logs.some((l) => /replaying from #\d+/.test(l)),
        'a worker restored a checkpoint and replayed',
      );
      assert.equal(cs.dead_letters, 3);
      assert.deepEqual(cs.dead_letters_by_reason, { 'not-json': 1, 'not-an-event': 2 });
      assert.equal(await streamMessages(nc, DLQ_STREAM), 3);
      assert.ok((await streamMessages(nc, EVENTS_STREAM)) >= data.events);
      await collector.stop();
      store.close();
    } catch (e) {
      for (const c of children)
        console.log(
          `--- ${c.proc.spawnargs.slice(2, 4).join(' ')} ${c.proc.spawnargs.includes('--id') ? c.proc.spawnargs[c.proc.spawnargs.indexOf('--id') + 1] : ''}\n${c.lines.slice(-12).join('\n')}`,
        );
      throw e;
    } finally {
      for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
      await nc.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
