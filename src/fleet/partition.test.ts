// One partition run against a real nats-server with JetStream: stopping it in the middle of a
// backlog returns and checkpoints where it stopped (a worker handing a partition back used to
// wait on that forever), the next owner carries on from the checkpoint to the end, and a
// consumer that disappears under a running partition is recreated from the last event handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { loadContent, type Content } from '../runtime/index.js';
import { readCheckpoint } from './checkpoint.js';
import { ensureFleet, type FleetObjects } from './nats.js';
import { PartitionRun, type PartitionDeps, type WorkerCounters } from './partition.js';
import { EVENTS_STREAM, eventSubject } from './subjects.js';
import { natsServerMissing, readNdjson, startJetStream, until, writeFleetData, type NatsServer } from './testdata.js';

const counters = (): WorkerCounters => ({
  events: 0,
  replayed: 0,
  findings: 0,
  suppressed: 0,
  dead_letters: 0,
  checkpoints: 0,
  takeovers: 0,
  publish_errors: 0,
});

async function setup(t: {
  skip(m: string): void;
}): Promise<
  | { dir: string; nats: NatsServer; nc: NatsConnection; objs: FleetObjects; content: Content; deps: (c: WorkerCounters, log: string[]) => PartitionDeps }
  | undefined
> {
  if (natsServerMissing()) {
    console.error('SKIP partition test: nats-server is not installed (run scripts/test-env.sh)');
    t.skip('nats-server not installed');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-partition-'));
  const nats = await startJetStream(join(dir, 'js'));
  const nc = await connect({ servers: nats.url });
  const objs = await ensureFleet(nc);
  const jsm = await nc.jetstreamManager();
  const content = await loadContent();
  const deps = (c: WorkerCounters, log: string[]): PartitionDeps => ({
    js: objs.js,
    jsm,
    checkpoints: objs.checkpoints,
    content,
    owner: 'test',
    counters: c,
    dlqByReason: new Map(),
    checkpointEveryEvents: 2000,
    checkpointEveryMs: 60_000,
    wallClock: false,
    log: (l) => log.push(l),
  });
  return { dir, nats, nc, objs, content, deps };
}

/** Publishes a host's events to partition 0, 500 in flight at a time; returns the last stream sequence. */
async function publishAll(nc: NatsConnection, dir: string, content: Content, total: number): Promise<number> {
  const data = await writeFleetData(dir, content, { hosts: 1, total, copies: 1, partitions: 1 });
  const events = [...(await readNdjson(data.files[0]![0])), ...(await readNdjson(data.files[0]![1]))];
  const js = nc.jetstream();
  let last = 0;
  for (let i = 0; i < events.length; i += 500) {
    const acks = await Promise.all(events.slice(i, i + 500).map((e) => js.publish(eventSubject(0, 'node-0', 'auditd'), JSON.stringify(e))));
    last = Math.max(last, ...acks.map((a) => a.seq));
  }
  return last;
}

test(
  'partition: stopped in the middle of a backlog it returns, checkpoints where it stopped, and the next owner reads on to the end',
  { timeout: 180_000 },
  async (t) => {
    const s = await setup(t);
    if (!s) return;
    try {
      const last = await publishAll(s.nc, s.dir, s.content, 30_000);
      const log: string[] = [];
      const c1 = counters();
      const first = new PartitionRun(0, s.deps(c1, log));
      await first.start();
      await until('the first run to be under way', () => c1.events >= 1000, 60_000);
      await first.stop(true);
      assert.ok(c1.events < last, `stopped mid-backlog (${c1.events} of ${last} read)`);
      const { cp } = await readCheckpoint(s.objs.checkpoints, 0);
      assert.ok(cp, 'a checkpoint was written on the way out');
      assert.equal(cp.covers, c1.events, 'it covers exactly the events read (sequences start at 1, one event each)');

      const c2 = counters();
      const second = new PartitionRun(0, s.deps(c2, log));
      await second.start();
      await until('the second run to reach the end of the stream', () => c2.events - c2.replayed >= last - cp.covers, 120_000);
      await second.stop(true);
      const after = await readCheckpoint(s.objs.checkpoints, 0);
      assert.equal(after.cp?.covers, last, 'the second owner covers the whole stream');
      assert.equal(c2.takeovers, 1);
      assert.ok(
        log.some((l) => /checkpoint covers #\d+; replaying from #\d+/.test(l)),
        log.join('\n'),
      );
    } finally {
      await s.nc.close();
      await s.nats.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test('partition: a consumer deleted under a running partition is recreated, and the events after it are read', { timeout: 180_000 }, async (t) => {
  const s = await setup(t);
  if (!s) return;
  try {
    const log: string[] = [];
    const c = counters();
    const run = new PartitionRun(0, s.deps(c, log));
    await run.start();
    const firstLast = await publishAll(s.nc, join(s.dir), s.content, 3000);
    await until('the first events to be read', () => c.events === firstLast, 60_000);
    const jsm = await s.nc.jetstreamManager();
    const consumers = await jsm.consumers.list(EVENTS_STREAM).next();
    assert.equal(consumers.length, 1, 'the run reads with one consumer');
    await jsm.consumers.delete(EVENTS_STREAM, consumers[0]!.name);
    const js = s.nc.jetstream();
    const more = (await readNdjson(join(s.dir, 'node-0.part1.ndjson'))).slice(0, 500);
    for (const e of more) await js.publish(eventSubject(0, 'node-0', 'auditd'), JSON.stringify({ ...e, event: { ...e.event, id: `again-${e.event.id}` } }));
    await until('the events published after the consumer went away', () => c.events === firstLast + more.length, 60_000);
    await run.stop(true);
    assert.ok(
      log.some((l) => /reading again from #\d+/.test(l)),
      log.join('\n'),
    );
    const { cp } = await readCheckpoint(s.objs.checkpoints, 0);
    assert.equal(cp?.covers, firstLast + more.length);
  } finally {
    await s.nc.close();
    await s.nats.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});
