// A worker: holds the leases of its share of the partitions and runs each one (partition.ts).
// Every `renewMs` it renews what it holds, stops at once any partition whose lease it lost,
// takes free or expired leases up to its fair share (partitions ÷ live workers, rounded up)
// and hands back, checkpointed, what is over it, so a worker that joins gets work and a
// worker that dies has its partitions taken over once its leases expire.
import type { NatsConnection } from 'nats';
import { errorMessage } from '../model/errors.js';
import type { Content } from '../runtime/index.js';
import { Leases } from './lease.js';
import { ensureFleet, fleetConnect, kvKeysWith, within, type FleetConnectOptions } from './nats.js';
import { LEASES_BUCKET, partitionOf } from './subjects.js';
import { PartitionRun, type PartitionDeps, type WorkerCounters } from './partition.js';

export interface WorkerOptions extends FleetConnectOptions {
  id: string;
  partitions: number;
  content: Pick<Content, 'engine' | 'stateHorizonMs'>;
  leaseTtlMs?: number;
  renewMs?: number;
  checkpointEveryEvents?: number;
  checkpointEveryMs?: number;
  wallClock?: boolean;
  log?: (line: string) => void;
}

export interface WorkerStats extends WorkerCounters {
  partitions: number[];
  members: number;
  dead_letters_by_reason: Record<string, number>;
}

export interface Worker {
  start(): Promise<void>;
  stats(): WorkerStats;
  /** Checkpoints and gives back every partition, then leaves. */
  stop(): Promise<void>;
}

export function createWorker(o: WorkerOptions): Worker {
  const log = o.log ?? (() => undefined);
  const ttl = o.leaseTtlMs ?? 10_000;
  const renewMs = o.renewMs ?? Math.max(200, Math.floor(ttl / 4));
  const counters: WorkerCounters = { events: 0, replayed: 0, findings: 0, suppressed: 0, dead_letters: 0, checkpoints: 0, takeovers: 0, publish_errors: 0 };
  const dlqByReason = new Map<string, number>();
  const runs = new Map<number, PartitionRun>();
  let nc: NatsConnection | undefined;
  let leases: Leases | undefined;
  let timer: NodeJS.Timeout | undefined;
  let members = 1;
  let busy = false;
  let stopped = false;
  let fence: NodeJS.Timeout | undefined;

  // Renewals run in the lease round; when a round hangs (a NATS request that never answers, a
  // stop that waits on a stalled consumer) the leases still expire and another worker takes the
  // partitions over. So, independently of the round, a partition whose lease was last written
  // more than 3/4 of its time ago is stopped here, before a successor can start on it.
  function fenceStale(): void {
    if (!leases || stopped) return;
    for (const p of leases.stale(Math.floor((ttl * 3) / 4))) {
      log(`partition ${p}: lease not renewed for ${Math.floor((ttl * 3) / 4)} ms; stopping it before it expires`);
      const run = runs.get(p);
      runs.delete(p);
      leases.forget(p);
      // stop() marks the run stopping at once; what it awaits after that may hang, and need not be waited for.
      void run?.stop(false).catch(() => undefined);
    }
    // A renewal refused after its round stopped waiting forgets the lease: its partition stops too.
    const owned = new Set(leases.owned());
    for (const [p, run] of runs) {
      if (owned.has(p)) continue;
      log(`partition ${p}: lease no longer held; stopping it`);
      runs.delete(p);
      void run.stop(false).catch(() => undefined);
    }
  }

  // Every request of a lease round answers within `stepMs`, or the round ends there and the next
  // one starts over: a round that waits longer than the fence lets its leases go stale.
  const stepMs = Math.max(500, Math.floor(ttl / 4));
  const step = <T>(what: string, p: Promise<T>): Promise<T> => within(stepMs, what, p);

  /** Hands a partition back checkpointed; one whose stop does not finish in time is left to expire instead. */
  async function handBack(p: number): Promise<void> {
    const run = runs.get(p);
    runs.delete(p);
    try {
      if (run) await within(stepMs * 2, `stop of partition ${p}`, run.stop(true));
    } catch (e) {
      // Its lease is not released: whatever the stop still writes is fenced by the checkpoint revision, and the lease expires.
      log(`partition ${p}: ${errorMessage(e)}; leaving its lease to expire`);
      leases!.forget(p);
      return;
    }
    await step(`release of partition ${p}`, leases!.release(p));
  }

  async function round(deps: PartitionDeps): Promise<void> {
    if (busy || stopped || !leases) return;
    busy = true;
    try {
      for (const p of leases.owned()) {
        // Held but not running (its start failed after the lease was taken): give it back.
        if (!runs.has(p)) await step(`release of partition ${p}`, leases.release(p));
      }
      // Renewals first and side by side: one slow answer does not hold up the others. One that
      // times out is retried next round (the fence stops it if that goes on); one refused was lost.
      const held = leases.owned();
      const renewed = await Promise.all(held.map((p) => step(`renewal of partition ${p}`, leases!.renew(p)).catch(() => undefined)));
      for (const [i, ok] of renewed.entries()) {
        if (ok !== false) continue;
        const p = held[i]!;
        log(`partition ${p}: lease lost or fenced; stopping it without a checkpoint`);
        const run = runs.get(p);
        runs.delete(p);
        // Stopped at once; what it still awaits writes nothing that counts, so the round does not wait.
        void run?.stop(false).catch(() => undefined);
      }
      await step('heartbeat', leases.heartbeat());
      const alive = await step('member list', leases.members());
      members = alive.length;
      const share = Math.ceil(o.partitions / members);
      const owned = leases.owned();
      if (owned.length > share) {
        for (const p of owned.slice(share)) {
          log(`partition ${p}: handing back (share is ${share} of ${o.partitions} with ${members} workers)`);
          await handBack(p);
        }
      } else if (owned.length < share) {
        // Each worker starts looking at its own offset, so workers that join together do not all race for partition 0.
        const start = partitionOf(o.id, o.partitions);
        for (let i = 0; i < o.partitions && leases.owned().length < share; i++) {
          const p = (start + i) % o.partitions;
          if (runs.has(p)) continue;
          if (!(await step(`lease of partition ${p}`, leases.acquire(p)))) continue;
          const run = new PartitionRun(p, deps);
          try {
            await step(`start of partition ${p}`, run.start());
            runs.set(p, run);
          } catch (e) {
            log(`partition ${p}: could not start (${errorMessage(e)}); giving the lease back`);
            void run.stop(false).catch(() => undefined);
            await step(`release of partition ${p}`, leases.release(p));
          }
        }
      }
    } catch (e) {
      log(`worker: lease round failed: ${errorMessage(e)}`);
    } finally {
      busy = false;
    }
  }

  return {
    async start() {
      nc = await fleetConnect(o, { name: `stowaway-worker-${o.id}` });
      const objs = await ensureFleet(nc);
      const jsm = await nc.jetstreamManager();
      leases = new Leases(objs.leases, o.id, ttl, Date.now, (prefix) => kvKeysWith(jsm, LEASES_BUCKET, prefix));
      const deps: PartitionDeps = {
        js: objs.js,
        jsm,
        checkpoints: objs.checkpoints,
        content: o.content,
        owner: o.id,
        counters,
        dlqByReason,
        checkpointEveryEvents: o.checkpointEveryEvents ?? 20_000,
        checkpointEveryMs: o.checkpointEveryMs ?? 5_000,
        wallClock: o.wallClock ?? true,
        log,
      };
      // Announced one renewal before taking anything: workers starting together see each other
      // and take their shares at once, instead of the first taking all and handing back.
      await step('heartbeat', leases.heartbeat()).catch(() => undefined);
      timer = setInterval(() => void round(deps), renewMs);
      fence = setInterval(fenceStale, Math.max(50, Math.floor(renewMs / 2)));
    },
    stats: () => ({ ...counters, partitions: leases?.owned() ?? [], members, dead_letters_by_reason: Object.fromEntries(dlqByReason) }),
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (fence) clearInterval(fence);
      while (busy) await new Promise((r) => setTimeout(r, 20));
      for (const p of [...runs.keys()]) await handBack(p).catch((e: unknown) => log(`partition ${p}: final checkpoint failed: ${errorMessage(e)}`));
      await step('leave', leases?.leave() ?? Promise.resolve()).catch(() => undefined);
      await nc?.drain().catch(() => undefined);
    },
  };
}
