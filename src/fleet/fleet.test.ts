// The fleet against a real nats-server with JetStream: sensors as processes publishing recorded
// and generated events of three hosts, two worker processes, one killed with SIGKILL mid-stream
// and restarted; the findings must be exactly those of the same events run in one process.
// STOWAWAY_FLEET_EVENTS sets the volume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { Finding } from '../model/alert.js';
import { findScenarios, loadContent } from '../runtime/index.js';
import { openStore, type Store } from '../sinks/store/index.js';
import { createAlertPath } from '../runtime/index.js';
import { createCollector, fleetIds, type Collector } from './collector.js';
import { Leases } from './lease.js';
import { ensureFleet } from './nats.js';
import { ALERTS_STREAM, DLQ_STREAM, EVENTS_STREAM, eventSubject, partitionKey, partitionOf } from './subjects.js';
import {
  natsServerMissing,
  referenceRun,
  startJetStream,
  stowaway,
  streamIds,
  streamMessages,
  until,
  writeFleetData,
  sleep,
  type Child,
  type FleetData,
} from './testdata.js';

const P = 4;

/** Per shipped scenario and host: the rule ids with a finding made of that scenario's events there. */
function firedPerScenario(data: FleetData, findings: Iterable<Finding>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of findings)
    for (const e of f.events) {
      // Event ids of scenario copies are host:copy:scenario-index:i (testdata.ts).
      const [host, , si] = (e.event?.id ?? '').split(':');
      const sc = si !== undefined && /^\d+$/.test(si) ? data.shipped[Number(si)] : undefined;
      if (!sc || !host) continue;
      const k = `${sc.name}@${host}`;
      if (!out.has(k)) out.set(k, new Set());
      out.get(k)!.add(f.rule.id);
    }
  return out;
}

/** Waits for `count()` to reach `target`, failing as soon as it stops growing for `stallMs` or a watched process dies. */
async function untilCount(what: string, count: () => Promise<number>, target: number, stallMs: number, alive: () => string | undefined): Promise<void> {
  let last = -1;
  let grewAt = Date.now();
  for (;;) {
    const n = await count();
    if (n >= target) return;
    if (n !== last) [last, grewAt] = [n, Date.now()];
    const dead = alive();
    if (dead) throw new Error(`${what}: ${dead} (${n} of ${target})`);
    if (Date.now() - grewAt > stallMs) throw new Error(`${what}: stuck at ${n} of ${target} for ${stallMs / 1000} s`);
    await sleep(250);
  }
}

test(
  'fleet: 3 sensors, 2 workers, one killed with SIGKILL mid-stream and restarted: the findings equal the single-process run, none lost, none twice',
  { timeout: 600_000 },
  async (t) => {
    if (natsServerMissing()) {
      console.error('SKIP fleet test: nats-server is not installed (run scripts/test-env.sh)');
      t.skip('nats-server not installed');
      return;
    }
    // 200,003 events in CI (about 2 min on 2 cores, 4-7 min when other jobs load them: docs/scale-out.md);
    // 20,000 in a local npm test; STOWAWAY_FLEET_EVENTS=N for any other size.
    const total = Number(process.env.STOWAWAY_FLEET_EVENTS ?? (process.env.CI ? 200_003 : 20_000));
    const dir = mkdtempSync(join(tmpdir(), 'stowaway-fleet-'));
    const nats = await startJetStream(join(dir, 'js'));
    const children: Child[] = [];
    const run = (args: string[]): Child => {
      const c = stowaway(args);
      children.push(c);
      return c;
    };
    const nc = await connect({ servers: nats.url });
    let collector: Collector | undefined;
    let store: Store | undefined;
    try {
      const content = await loadContent();
      const data = await writeFleetData(dir, content, { hosts: 3, total, copies: Math.max(2, Math.round(total / 10_000)), partitions: P });
      const shipped = (await findScenarios(content.contentDir)).scenarios;
      assert.equal(data.shipped.length, shipped.length, 'the data holds every shipped scenario');
      assert.equal(
        data.scenarios,
        shipped.length,
        `every shipped scenario has events in the data: ${data.shipped
          .filter((x) => x.events === 0)
          .map((x) => x.name)
          .join(', ')}`,
      );
      const ref = await referenceRun(content, data, P);
      console.log(
        `fleet: ${data.events} events (${data.scenarioEvents} from ${data.scenarios} recorded scenarios, copied per host; the rest generated) on hosts ${data.hosts.join(', ')}; single-process reference: ${ref.ids.size} findings ${JSON.stringify(ref.byKind)}, ${ref.spanning.length} correlations spanning the kill point`,
      );
      assert.ok(ref.spanning.length > 0, 'the data splits a correlation between the parts');

      const objs = await ensureFleet(nc);
      // The store side, in this process: findings → alert pipeline → SQLite.
      store = openStore(join(dir, 'data'));
      const { ids, newId } = fleetIds();
      const { pipeline } = createAlertPath({ dataDir: join(dir, 'data'), newId, rateLimit: { perRule: 1e9, windowS: 60 } }, store, content, () => undefined);
      collector = createCollector({ servers: nats.url, store, pipeline, ids });
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
      const w2 = worker('w2');
      // A worker that dies on its own (not the SIGKILL below) fails the test at the next wait.
      let killed: Child | undefined;
      const workersAlive = (): string | undefined =>
        [w1, w2].filter((w) => w !== killed && w.proc.exitCode !== null).map((w) => `worker ${w === w2 ? 'w2' : 'w1'} exited (${w.proc.exitCode})`)[0];
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
      await untilCount('the findings of part 1', () => streamMessages(nc, ALERTS_STREAM), ref.afterPart1, 60_000, workersAlive);
      const w1Partitions = (await owners()).flatMap((o, p) => (o === 'w1' ? [p] : []));
      killed = w1;
      w1.proc.kill('SIGKILL');
      await w1.exited;
      console.log(`fleet: SIGKILL to worker w1 holding partitions [${w1Partitions.join(',')}] after part 1`);
      const part2 = sensors(1);
      await until('w2 to take over every partition', async () => (await owners()).every((o) => o === 'w2'), 60_000);
      w1 = worker('w1');
      killed = undefined;
      await until('the restarted w1 to get its share back', async () => (await owners()).filter((o) => o === 'w1').length === 2, 60_000);
      for (const c of part2) assert.equal(await c.exited, 0, c.lines.join('\n'));
      const end = run(['sensor', ...fleet, '--name', 'end', '--end', '--spool-dir', join(dir, 'spool-end')]);
      assert.equal(await end.exited, 0, end.lines.join('\n'));

      await untilCount('every finding', () => streamMessages(nc, ALERTS_STREAM), ref.ids.size, 60_000, workersAlive);
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
      const said = (re: RegExp): number => logs.filter((x) => re.test(x)).length;
      console.log(
        `fleet: workers said: ${said(/replaying from #/)} partition starts from a checkpoint, ${said(/handing back/)} hand-backs, ${said(/lease not renewed/)} partitions fenced by a late renewal, ${said(/did not answer within/)} requests over their time limit, ${said(/consumer delivered nothing|delivery gap|consumer failed/)} consumers read again`,
      );
      assert.deepEqual(missing, [], 'no finding lost');
      assert.deepEqual(extra, [], 'no finding the single-process run does not have');
      assert.ok(
        [...got.values()].every((n) => n === 1),
        'each finding once on the stream',
      );
      // Correlations spanning the kill: begun in part 1, before w1 died, completed in part 2; those
      // of w1's partitions were completed by the worker that restored w1's checkpoint.
      const spanning = ref.spanning.map((id) => ({ id, f: ref.findings.get(id)!, p: partitionOf(partitionKey(ref.findings.get(id)!.events[0]!), P) }));
      const ofKilled = spanning.filter((x) => w1Partitions.includes(x.p));
      console.log(
        `fleet: correlations spanning the kill: ${spanning.map((x) => `${x.f.rule.title} on partition ${x.p}${w1Partitions.includes(x.p) ? ' (w1, killed)' : ''}: ${got.has(x.id) ? 'fired' : 'MISSING'}`).join('; ')}`,
      );
      for (const x of spanning) assert.ok(got.has(x.id), `correlation ${x.f.rule.title} spanning the kill fired`);
      assert.ok(ofKilled.length > 0, 'a spanning correlation sat in a partition of the killed worker');
      // Every shipped scenario: what fired of it in the fleet is what fired in one process, and a positive one's expected rules fired on every host.
      const fleetFindings = [...got.keys()].flatMap((id) => (ref.findings.has(id) ? [ref.findings.get(id)!] : []));
      const fleetFired = firedPerScenario(data, fleetFindings);
      const refFired = firedPerScenario(data, ref.findings.values());
      const positive = data.shipped.filter((x) => x.kind === 'positive' && x.fire.length > 0);
      const short: string[] = [];
      for (const sc of data.shipped)
        for (const h of data.hosts) {
          const k = `${sc.name}@${h}`;
          assert.deepEqual([...(fleetFired.get(k) ?? [])].sort(), [...(refFired.get(k) ?? [])].sort(), `scenario ${k}: the fleet fired what one process fired`);
          if (sc.kind === 'positive') for (const r of sc.fire) if (!fleetFired.get(k)?.has(r)) short.push(`${k} ${r}`);
        }
      console.log(
        `fleet: ${data.shipped.length} shipped scenarios, each ${data.shipped.length === data.scenarios ? 'in the data' : 'NOT all in the data'} on ${data.hosts.length} hosts; ${positive.length} positive: ${short.length === 0 ? 'every expected rule fired on every host' : `missing ${short.join(', ')}`}`,
      );
      assert.deepEqual(short, [], 'every positive scenario fired its expected rules on every host');
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
    } catch (e) {
      // What each process said, status lines shortened to the last two.
      for (const c of children) {
        const status = c.lines.filter((l) => /: partitions \[/.test(l));
        const said = c.lines.filter((l) => !/: partitions \[/.test(l));
        console.log(
          `--- ${c.proc.spawnargs.slice(2, 3).join(' ')} ${c.proc.spawnargs.includes('--id') ? c.proc.spawnargs[c.proc.spawnargs.indexOf('--id') + 1] : ''}\n${[...said.slice(-40), ...status.slice(-2)].join('\n')}`,
        );
      }
      throw e;
    } finally {
      // Always, pass or fail: nothing left running keeps the test process alive.
      for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(5000)]);
      await Promise.race([collector?.stop(), sleep(5000)]).catch(() => undefined);
      store?.close();
      await Promise.race([nc.close(), sleep(2000)]).catch(() => undefined);
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
