// One partition on the worker that holds its lease: restore the checkpoint, replay the
// stream from where correlation state begins, then follow it. Findings go to the findings
// stream under their deterministic id; a checkpoint is written only after every finding it
// covers was acknowledged, so a worker dying anywhere loses nothing and repeats nothing the
// stream and the store do not drop by id.
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg, type KV, type ConsumerMessages } from 'nats';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { errorMessage } from '../model/errors.js';
import type { Engine } from '../engine/index.js';
import type { Content } from '../runtime/index.js';
import { memoryAnalyticsStore, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { findingId } from './ids.js';
import { within } from './nats.js';
import { dlqSubject, EVENTS_STREAM, findingSubject, partitionFilter } from './subjects.js';

/** What travels on the findings stream. */
export interface FindingMessage {
  id: string;
  partition: number;
  /** Stream sequence of the event that brought it out. */
  seq: number;
  finding: Finding;
}

export interface DeadLetter {
  reason: string;
  message: string;
  subject: string;
  seq: number;
  partition: number;
  /** The start of the message as received. */
  data: string;
}

export interface WorkerCounters {
  events: number;
  /** Events replayed to rebuild correlation state after a takeover. */
  replayed: number;
  findings: number;
  /** Findings of replayed events, held back because the previous owner published them. */
  suppressed: number;
  dead_letters: number;
  checkpoints: number;
  takeovers: number;
  publish_errors: number;
}

export interface PartitionDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  checkpoints: KV;
  content: Pick<Content, 'engine' | 'stateHorizonMs'>;
  owner: string;
  counters: WorkerCounters;
  dlqByReason: Map<string, number>;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** Move event time on with the wall clock when the partition is caught up and quiet (live input). */
  wallClock: boolean;
  log: (line: string) => void;
}

const MAX_DLQ_DATA = 16 * 1024;
/** A consumer silent this long while its stream holds more for it is recreated. */
const STALL_MS = 3000;

/**
 * Ends a consume() iterator without waiting for it. Its close() resolves only once the
 * iterator itself runs the stop it queues; after a `break` out of the `for await` nothing runs
 * it, and awaiting close() there never returns (nats.js 2.29). The subscription ends at once.
 */
function closeQuietly(msgs: ConsumerMessages): void {
  msgs.close().catch(() => undefined);
}

/** Why a message is not an event the engine can take, or undefined when it is one. */
export function poisonReason(data: Uint8Array): { reason: string; message: string } | { event: StowawayEvent } {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(data));
  } catch (e) {
    return { reason: 'not-json', message: errorMessage(e) };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { reason: 'not-an-event', message: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  if (typeof o['@timestamp'] !== 'string') return { reason: 'not-an-event', message: '@timestamp is missing or not a string' };
  if (typeof o.event !== 'object' || o.event === null) return { reason: 'not-an-event', message: 'event is missing or not an object' };
  const s = o.stowaway as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || typeof s.logsource !== 'object' || s.logsource === null) {
    return { reason: 'not-an-event', message: 'stowaway.logsource is missing: not a normalized event' };
  }
  return { event: v as StowawayEvent };
}

export class PartitionRun {
  private rules!: Engine;
  private analytics!: Engine;
  private store = memoryAnalyticsStore();
  private covers = 0;
  private cpRevision = 0;
  private lastSeq = 0;
  // Sequence and event time of recent events, oldest first: the front is where a replay must start.
  private ringSeq: number[] = [];
  private ringT: number[] = [];
  private ringHead = 0;
  private newest = -Infinity;
  private sinceCheckpoint = 0;
  private lastCheckpointAt = Date.now();
  private unacked: Array<Promise<unknown>> = [];
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private lastMessageAt = Date.now();
  private ticker: NodeJS.Timeout | undefined;
  private caughtUp = false;
  private consumerName: string | undefined;
  private watching = false;
  /** Consumers recreated because they stopped delivering while the stream held more. */
  restarts = 0;

  constructor(
    readonly partition: number,
    private readonly d: PartitionDeps,
  ) {}

  async start(): Promise<void> {
    const { cp, revision } = await readCheckpoint(this.d.checkpoints, this.partition);
    // Stopped while reading the checkpoint (the start did not answer in time): never begin.
    if (this.stopping) return;
    this.cpRevision = revision;
    if (cp) {
      this.covers = cp.covers;
      this.store = memoryAnalyticsStore(cp.analytics);
      this.d.counters.takeovers++;
    }
    this.rules = this.d.content.engine({ part: 'rules' });
    this.analytics = this.d.content.engine({ part: 'analytics', analytics: this.store });
    const from = cp ? cp.replayFrom : 0;
    this.lastSeq = cp ? cp.covers : 0;
    this.d.log(
      `partition ${this.partition}: ${cp ? `checkpoint covers #${cp.covers}; replaying from #${from}` : 'no checkpoint; from the start of the stream'}`,
    );
    this.loop = this.follow(from);
    this.ticker = setInterval(() => this.idle(), 500);
    this.ticker.unref();
  }

  /**
   * Reads the partition in stream order from `from` with an ephemeral consumer of its own
   * (a plain filter subject and no acknowledgements: the checkpoint is what is durable). A gap
   * in the delivery sequence (messages lost between server and worker) restarts it right
   * after the last event handled, so nothing is skipped.
   */
  private async follow(from: number): Promise<void> {
    let start = from;
    while (!this.stopping) {
      try {
        const ci = await this.d.jsm.consumers.add(EVENTS_STREAM, {
          filter_subject: partitionFilter(this.partition),
          ack_policy: AckPolicy.None,
          inactive_threshold: 30_000_000_000,
          mem_storage: true,
          ...(start > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start } : { deliver_policy: DeliverPolicy.All }),
        });
        this.consumerName = ci.name;
        const consumer = await this.d.js.consumers.get(EVENTS_STREAM, ci.name);
        const msgs = await consumer.consume({ max_messages: 1000 });
        this.messages = msgs;
        this.lastMessageAt = Date.now();
        if (this.stopping) {
          closeQuietly(msgs);
          break;
        }
        let delivered = 0;
        let gap = false;
        for await (const m of msgs) {
          if (this.stopping) break;
          if (m.info.deliverySequence !== ++delivered) {
            gap = true;
            break;
          }
          await this.handle(m);
          // Messages already received are handed over as microtasks: let the lease timer run between batches.
          if (delivered % 256 === 0) await new Promise((r) => setImmediate(r));
        }
        closeQuietly(msgs);
        this.consumerName = undefined;
        await this.d.jsm.consumers.delete(EVENTS_STREAM, ci.name).catch(() => undefined);
        if (gap) this.d.log(`partition ${this.partition}: delivery gap; reading again from #${this.lastSeq + 1}`);
      } catch (e) {
        if (this.stopping) break;
        this.d.log(`partition ${this.partition}: consumer failed (${errorMessage(e)}); reading again from #${this.lastSeq + 1}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      start = this.lastSeq + 1;
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    // A checkpoint taken while the partition was quiet finishes before the next event changes the state it saves.
    await this.cpChain;
    const seq = m.seq;
    const replaying = seq <= this.covers;
    this.lastMessageAt = Date.now();
    this.caughtUp = m.info.pending === 0;
    let found: Finding[] = [];
    if (m.subject.endsWith('._.end')) {
      found = this.rules.flush();
      if (!replaying) found.push(...this.analytics.flush());
      // Every window is closed: no state reaches back before this point.
      this.ringSeq = [];
      this.ringT = [];
      this.ringHead = 0;
    } else {
      const r = poisonReason(m.data);
      if ('reason' in r) {
        if (!replaying) this.deadLetter(m, r.reason, r.message);
      } else {
        const ev = r.event;
        this.d.counters.events++;
        if (replaying) this.d.counters.replayed++;
        found = this.rules.process(ev);
        if (!replaying) found.push(...this.analytics.process(ev));
        const t = Date.parse(ev['@timestamp']);
        if (Number.isFinite(t)) {
          this.ringSeq.push(seq);
          this.ringT.push(t);
          if (t > this.newest) this.newest = t;
          const horizon = this.newest - this.d.content.stateHorizonMs;
          while (this.ringHead < this.ringT.length && this.ringT[this.ringHead]! < horizon) this.ringHead++;
          if (this.ringHead > 4096 && this.ringHead * 2 > this.ringSeq.length) {
            this.ringSeq = this.ringSeq.slice(this.ringHead);
            this.ringT = this.ringT.slice(this.ringHead);
            this.ringHead = 0;
          }
        }
      }
    }
    this.lastSeq = seq;
    if (replaying) this.d.counters.suppressed += found.length;
    else this.publish(found, seq);
    this.sinceCheckpoint++;
    if (this.unacked.length > 5000) await this.settle();
    if (
      !replaying &&
      (this.sinceCheckpoint >= this.d.checkpointEveryEvents || Date.now() - this.lastCheckpointAt >= this.d.checkpointEveryMs || m.subject.endsWith('._.end'))
    ) {
      await this.checkpoint();
    }
  }

  /**
   * A consumer that delivers nothing for a while although the stream holds more for it has
   * stalled (pull consumers on nats-server 2.9 do, once a stream was idle), or is gone (a
   * memory consumer does not survive a server restart). Closing its messages ends the loop in
   * follow(), which reads again from right after the last event handled.
   */
  private async watch(): Promise<void> {
    const name = this.consumerName;
    const msgs = this.messages;
    if (this.watching || this.stopping || !name || !msgs || Date.now() - this.lastMessageAt < STALL_MS) return;
    this.watching = true;
    try {
      let pending: number | string;
      try {
        pending = (await within(STALL_MS, 'consumer info', this.d.jsm.consumers.info(EVENTS_STREAM, name))).num_pending;
      } catch (e) {
        pending = errorMessage(e);
      }
      if (this.stopping || this.messages !== msgs || pending === 0) return;
      this.restarts++;
      this.d.log(
        `partition ${this.partition}: consumer delivered nothing for ${Date.now() - this.lastMessageAt} ms (${typeof pending === 'number' ? `${pending} pending` : pending}); reading again from #${this.lastSeq + 1}`,
      );
      this.lastMessageAt = Date.now();
      closeQuietly(msgs);
    } finally {
      this.watching = false;
    }
  }

  /** A quiet partition: live time moves on (wall clock), and what was read gets its checkpoint. */
  private idle(): void {
    void this.watch();
    if (this.stopping || !this.caughtUp || Date.now() - this.lastMessageAt < 500) return;
    if (this.d.wallClock) {
      const now = Date.now();
      this.publish([...this.rules.tick(now), ...this.analytics.tick(now)], this.lastSeq);
    }
    if (this.lastSeq > this.covers && Date.now() - this.lastCheckpointAt >= this.d.checkpointEveryMs) {
      this.checkpoint().catch((e: unknown) => this.d.log(`partition ${this.partition}: checkpoint failed: ${errorMessage(e)}`));
    }
  }

  private publish(found: Finding[], seq: number): void {
    for (const f of found) {
      const id = findingId(f);
      const msg: FindingMessage = { id, partition: this.partition, seq, finding: f };
      this.d.counters.findings++;
      this.unacked.push(
        this.d.js.publish(findingSubject(f.rule.level), JSON.stringify(msg), { msgID: id }).catch((e: unknown) => {
          this.d.counters.publish_errors++;
          throw e;
        }),
      );
    }
  }

  private deadLetter(m: JsMsg, reason: string, message: string): void {
    this.d.counters.dead_letters++;
    this.d.dlqByReason.set(reason, (this.d.dlqByReason.get(reason) ?? 0) + 1);
    const text = new TextDecoder().decode(m.data.subarray(0, MAX_DLQ_DATA));
    const dl: DeadLetter = { reason, message, subject: m.subject, seq: m.seq, partition: this.partition, data: text };
    this.unacked.push(this.d.js.publish(dlqSubject(reason), JSON.stringify(dl), { msgID: `dlq:${m.seq}` }));
  }

  /** Waits for every publish so far; a failed one fails the partition (it is replayed by the next owner). */
  private async settle(): Promise<void> {
    const list = this.unacked;
    this.unacked = [];
    await Promise.all(list);
  }

  private cpChain: Promise<void> = Promise.resolve();

  /** Findings acknowledged, analytics state written, then the checkpoint naming where it holds; one at a time. */
  checkpoint(): Promise<void> {
    const next = this.cpChain.then(() => this.checkpointNow());
    this.cpChain = next.catch(() => undefined);
    return next;
  }

  private async checkpointNow(): Promise<void> {
    await this.settle();
    this.analytics.checkpoint();
    const replayFrom = this.ringHead < this.ringSeq.length ? this.ringSeq[this.ringHead]! : this.lastSeq + 1;
    const cp: Checkpoint = {
      partition: this.partition,
      covers: this.lastSeq,
      replayFrom,
      analytics: this.store.dump(),
      owner: this.d.owner,
      written: new Date().toISOString(),
    };
    this.cpRevision = await writeCheckpoint(this.d.checkpoints, cp, this.cpRevision);
    this.covers = Math.max(this.covers, this.lastSeq);
    this.sinceCheckpoint = 0;
    this.lastCheckpointAt = Date.now();
    this.d.counters.checkpoints++;
  }

  /** Graceful: stop reading, checkpoint what was read. Lost lease: stop reading, write nothing. */
  async stop(graceful: boolean): Promise<void> {
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    // Wakes a loop waiting for messages; one busy with a message sees `stopping` at the next.
    if (this.messages) closeQuietly(this.messages);
    await this.loop;
    if (graceful && this.lastSeq > this.covers) await this.checkpoint();
    else await this.settle().catch(() => undefined);
  }
}
