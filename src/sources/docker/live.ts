// Live Docker: the events API over the local socket, each container inspected on
// create/start and cached so die/destroy of a `--rm` container still carries its
// metadata; exec events carry the exec's exact command; stats sampled at an interval.
// On a broken stream it reconnects with `since` = the last event seen, so a daemon
// restart loses nothing (duplicates at the boundary are dropped).
import { dockerMessageKeys } from './message.js';
import type Docker from 'dockerode';
import { hostname } from 'node:os';
import type { LiveSource, SourceRecord, SourceStats } from '../types.js';
import type { EventTimings, TimingsHook } from '../types.js';
import type { ContainerAttributor, ContainerRef } from '../attribution.js';
import { diag, isObj, str, type Obj } from '../util.js';
import { inspectToContainer, normalizeDockerMessage, volumeNames, type DockerMeta } from './normalize.js';
import { normalizeDockerStats } from './stats.js';
import { onStreamLines } from '../lines.js';
import { readStoredInspect } from './ondisk.js';

export interface DockerLiveOptions {
  socketPath?: string;
  /** Stats sampling interval in ms; 0 turns stats off. Default 30000. */
  statsIntervalMs?: number;
  /** Wait before reconnecting a broken events stream. Default 1000. */
  reconnectMs?: number;
  /** Shared with the audit source: containers' init pids and names. */
  attributor?: ContainerAttributor;
  /** Keep a destroyed container's metadata this long for late events (audit). Default 60000. */
  retainMs?: number;
  /** Only events of containers with this label (tests). */
  labelFilter?: string;
  /**
   * How far behind the clock the events stream may be while connected: the daemon stamps
   * an event (timeNano) and writes it to the stream at once. Default 100.
   */
  watermarkSkewMs?: number;
  /** Stamps of each event on its way through (latency analysis); off when absent. */
  onTimings?: TimingsHook;
  /**
   * A `create` event whose inspect has not answered after this long (the daemon holds it
   * while the container starts) is completed from the configuration the daemon stored under
   * its data root, when that can be read (same host, root). The inspect answer still
   * replaces it for later events. Default 20; -1 always waits for inspect.
   */
  createInspectWaitMs?: number;
}

type Calls = EventTimings['calls'];

/** A new events stream first replays what happened since the last event seen; this long is allowed for that. */
const REPLAY_SETTLE_MS = 1000;

const INSPECT_ON = new Set(['create', 'start', 'die', 'update', 'rename']);

export class DockerLiveSource implements LiveSource {
  readonly name = 'docker';
  // Made at start: the client library costs a fifth of a second to load, and `scan` never starts this source.
  private docker!: Docker;
  private readonly cache = new Map<string, { inspect: Obj; startedAt?: string }>();
  /** Inspect documents of named volumes, by name: their driver options say what backs them (a share). */
  private readonly volumeDocs = new Map<string, Obj | null>();
  private readonly st: SourceStats = { events: 0, errors: 0, dropped: 0, unattributed: 0 };
  private emit: (r: SourceRecord) => void = () => {};
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };
  private stopped = false;
  private since?: string;
  private recent = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private statsTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly host = hostname();
  /** Times (ms) of events read from the stream and not yet emitted, in stream order. */
  private readonly inFlight: number[] = [];
  /** Wall time a stats sample began, until its events are emitted (their time is the sample's). */
  private sampling?: number;
  private connectedAt?: number;
  /** The daemon's data root, when it says so (`DockerRootDir`). */
  private rootDir?: string;
  reconnects = 0;

  constructor(private readonly opts: DockerLiveOptions = {}) {}

  async start(emit: (r: SourceRecord) => void): Promise<{ started: boolean; reason?: string }> {
    this.emit = emit;
    const { default: DockerClient } = await import('dockerode');
    this.docker = new DockerClient({ socketPath: this.opts.socketPath ?? '/var/run/docker.sock' });
    try {
      await this.docker.ping();
    } catch (e) {
      return { started: false, reason: `Docker engine not reachable at ${this.opts.socketPath ?? '/var/run/docker.sock'}: ${(e as Error).message}` };
    }
    if ((this.opts.createInspectWaitMs ?? 0) >= 0) {
      const info = (await this.docker.info().catch(() => undefined)) as { DockerRootDir?: unknown } | undefined;
      if (typeof info?.DockerRootDir === 'string' && info.DockerRootDir) this.rootDir = info.DockerRootDir;
    }
    // from now on nothing is missed: events during the listing below arrive through `since`
    this.since = (Date.now() / 1000).toFixed(9);
    // containers already running: their processes must be attributable from the start
    try {
      const list = await this.docker.listContainers({ all: false });
      for (const c of list) await this.inspect(c.Id);
    } catch (e) {
      this.fail(`listing containers failed: ${(e as Error).message}`);
    }
    await this.connect();
    const every = this.opts.statsIntervalMs ?? 30000;
    if (every > 0) this.statsTimer = setInterval(() => void this.sampleStats(), every);
    return { started: true };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.statsTimer);
    clearTimeout(this.reconnectTimer);
    this.stream?.destroy?.();
    await this.chain;
  }

  stats(): SourceStats {
    // Between streams (the daemon restarted or the socket broke) nothing is read: a gap, not quiet.
    const stopped = this.connectedAt !== undefined && !this.stopped && this.stream === undefined;
    return { ...this.st, ...(stopped ? { stopped } : {}) };
  }

  /**
   * Connected, the stream is complete up to a moment ago; events read but still waiting for
   * their inspect and a stats sample under way hold it back. Between streams (reconnecting,
   * not yet connected) and while a new stream replays from `since`, nothing past the last
   * event seen is certain.
   */
  watermark(nowMs = Date.now()): number | undefined {
    const live = this.stream && this.connectedAt !== undefined && nowMs - this.connectedAt >= REPLAY_SETTLE_MS;
    let wm = live ? nowMs - (this.opts.watermarkSkewMs ?? 100) : Number(this.since) * 1000;
    if (!Number.isFinite(wm)) return undefined;
    // just before them: a match at the watermark is released, and these must still find it waiting
    for (const t of this.inFlight) if (t - 1 < wm) wm = t - 1;
    if (this.sampling !== undefined && this.sampling - 1 < wm) wm = this.sampling - 1;
    return wm;
  }

  /** Cached inspect document of a container (also after it was destroyed, for a while). */
  cached(id: string): Obj | undefined {
    return this.cache.get(id)?.inspect;
  }

  /** Container metadata for the audit source, inspecting if not cached. */
  async lookup(id: string): Promise<ContainerRef | undefined> {
    const doc = this.cache.get(id)?.inspect ?? (await this.inspect(id));
    if (!doc) return undefined;
    const c = inspectToContainer(doc);
    return { id, name: c.name, image: c.image, pid: c.pid, labels: c.labels, info: c };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const filters: Record<string, string[]> = {};
    if (this.opts.labelFilter) filters.label = [this.opts.labelFilter];
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents({ since: this.since as unknown as number, filters: JSON.stringify(filters) });
    } catch (e) {
      this.fail(`events stream failed: ${(e as Error).message}; retrying`);
      this.scheduleReconnect();
      return;
    }
    this.stream = stream;
    this.connectedAt = Date.now();
    onStreamLines(stream, (line) => this.onLine(line));
    const broken = () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      if (!this.stopped) this.scheduleReconnect();
    };
    stream.on('end', broken);
    stream.on('close', broken);
    stream.on('error', (e: Error) => {
      this.fail(`events stream error: ${e.message}`);
      broken();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.reconnects++;
      void this.connect();
    }, this.opts.reconnectMs ?? 1000);
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      this.fail(`events stream sent non-JSON: ${(e as Error).message}`);
      return;
    }
    if (!isObj(msg)) return;
    const keys = dockerMessageKeys(msg);
    const key = keys.dedup;
    if (this.recent.has(key)) return; // replayed across a reconnect
    this.recent.add(key);
    if (this.recent.size > 4096) this.recent = new Set([...this.recent].slice(-1024));
    const t = keys.timeMs;
    if (t !== undefined) this.inFlight.push(t);
    // a little before the last event (float seconds lose the last nanoseconds); the
    // replayed events are dropped as duplicates above
    if (typeof msg.timeNano === 'number' && msg.timeNano) this.since = (msg.timeNano / 1e9 - 0.001).toFixed(9);
    else if (typeof msg.time === 'number') this.since = String(msg.time - 1);
    // Inspect now, not when the event's turn comes: a `--rm` container may be gone by
    // then. The chain still hands events on in stream order.
    const m = msg;
    const { id, verb } = keys;
    const readMs = Date.now();
    const calls: Calls = [];
    const isContainer = (str(m.Type) ?? 'container') === 'container';
    const early =
      isContainer && id && INSPECT_ON.has(verb)
        ? verb === 'create'
          ? this.inspectCreated(id, calls)
          : this.timed(calls, 'inspect', () => this.inspect(id))
        : undefined;
    this.chain = this.chain
      .then(() => early)
      .then(() => this.handle(m, { readMs, eventMs: t, calls }))
      .catch((e: unknown) => this.fail(`handling event failed: ${(e as Error).message}`))
      .finally(() => {
        if (t !== undefined) this.inFlight.shift();
      });
  }

  /**
   * Inspect for a `create` event: the daemon answers only once a start that began meanwhile
   * has finished, so after a short wait the stored configuration stands in (see
   * createInspectWaitMs). The inspect answer, when it comes, replaces it in the cache.
   */
  private async inspectCreated(id: string, calls: Calls): Promise<Obj | undefined> {
    const api = this.timed(calls, 'inspect', () => this.inspect(id));
    const wait = this.opts.createInspectWaitMs ?? 20;
    if (!this.rootDir || wait < 0) return api;
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([api.then((doc) => ({ doc })), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), wait)))]);
    clearTimeout(timer);
    if (answered) return answered.doc;
    const stored = await this.timed(calls, 'stored config', async () => readStoredInspect(this.rootDir!, id));
    if (!stored) return api;
    if (!this.cache.has(id)) this.remember(id, stored);
    return this.cache.get(id)!.inspect;
  }

  /** Runs a runtime call, noting how long it took when timings are wanted. */
  private timed<T>(calls: Calls, call: string, fn: () => Promise<T>): Promise<T> {
    if (!this.opts.onTimings) return fn();
    const start = Date.now();
    return fn().finally(() => calls.push({ call, start_ms: start, end_ms: Date.now() }));
  }

  private async handle(msg: Obj, seen: { readMs: number; eventMs?: number; calls: Calls } = { readMs: Date.now(), calls: [] }): Promise<void> {
    const keys = dockerMessageKeys(msg);
    const type = keys.type ?? 'container';
    const actor: Obj = isObj(msg.Actor) ? msg.Actor : {};
    const attrs: Obj = isObj(actor.Attributes) ? actor.Attributes : {};
    const { id, verb } = keys;
    const meta: DockerMeta = {};
    // A name can be given to a new volume with other options: forget the old document.
    if (type === 'volume' && id && (verb === 'destroy' || verb === 'create')) this.volumeDocs.delete(id);
    if (type === 'container' && id) {
      const c = this.cache.get(id);
      if (verb === 'start' && c) c.startedAt = toIsoNano(msg);
      meta.inspect = c?.inspect;
      meta.startedAt = c?.startedAt;
      if (!meta.inspect) meta.reason = 'container was gone before it could be inspected';
      else if (verb === 'create' || verb === 'start') {
        const volumes = await this.volumesOf(meta.inspect, seen.calls);
        if (volumes.length) meta.volumes = volumes;
      }
      if (verb.startsWith('exec_') && str(attrs.execID) && verb !== 'exec_die') {
        try {
          meta.exec = (await this.timed(seen.calls, 'exec inspect', () => this.docker.getExec(str(attrs.execID)!).inspect())) as unknown as Obj;
        } catch {
          // exec already gone: the event text still names the command
        }
      }
      if (verb === 'destroy') {
        const retain = this.opts.retainMs ?? 60000;
        setTimeout(() => {
          this.cache.delete(id);
          this.opts.attributor?.removeContainer(id);
        }, retain).unref();
      }
    }
    const r = normalizeDockerMessage(msg, `docker:${this.opts.socketPath ?? '/var/run/docker.sock'}`, meta);
    if ('event' in r) {
      r.event.host = { ...r.event.host, name: this.host };
      this.st.events++;
      this.st.lag_s = (Date.now() - Date.parse(r.event['@timestamp'])) / 1000;
      this.opts.onTimings?.(r.event, {
        source: 'docker',
        ...(seen.eventMs !== undefined ? { event_ms: seen.eventMs } : {}),
        read_ms: seen.readMs,
        calls: seen.calls,
        emitted_ms: Date.now(),
      });
    } else this.st.errors++;
    this.emit(r);
  }

  /** The named volumes a container uses, each inspected once while it exists (its options cannot change). */
  private async volumesOf(doc: Obj, calls: Calls): Promise<Obj[]> {
    const out: Obj[] = [];
    for (const name of volumeNames(doc)) {
      if (!this.volumeDocs.has(name)) {
        const v = await this.timed(calls, 'volume inspect', () => this.docker.getVolume(name).inspect()).catch(() => null);
        this.volumeDocs.set(name, v ? (v as unknown as Obj) : null);
        if (this.volumeDocs.size > 4096) this.volumeDocs.delete(this.volumeDocs.keys().next().value as string);
      }
      const v = this.volumeDocs.get(name);
      if (v) out.push(v);
    }
    return out;
  }

  private async inspect(id: string): Promise<Obj | undefined> {
    try {
      const doc = (await this.docker.getContainer(id).inspect()) as unknown as Obj;
      this.remember(id, doc);
      return doc;
    } catch {
      return this.cache.get(id)?.inspect;
    }
  }

  private remember(id: string, doc: Obj): void {
    const prev = this.cache.get(id);
    this.cache.set(id, { inspect: doc, startedAt: prev?.startedAt });
    const c = inspectToContainer(doc);
    this.opts.attributor?.addContainer({ id, name: c.name, image: c.image, pid: c.pid, labels: c.labels, info: c });
  }

  private async sampleStats(): Promise<void> {
    if (this.sampling !== undefined) return; // the previous sample is still running
    this.sampling = Date.now();
    try {
      await this.sampleAll();
    } finally {
      this.sampling = undefined;
    }
  }

  private async sampleAll(): Promise<void> {
    const ids = [...this.cache.entries()].filter(([, c]) => isObj(c.inspect.State) && c.inspect.State.Running === true).map(([id]) => id);
    for (const id of ids) {
      try {
        const s = (await this.docker.getContainer(id).stats({ stream: false })) as unknown as Obj;
        const cached = this.cache.get(id);
        const c = cached ? inspectToContainer(cached.inspect) : { id };
        const ev = normalizeDockerStats(
          s,
          { id: c.id, name: c.name, image: c.image, labels: c.labels, runtime: 'docker', metadata: cached ? 'complete' : 'partial' },
          `docker:stats`,
        );
        if (ev) {
          ev.host = { name: this.host };
          this.st.events++;
          this.emit({ event: ev });
        }
      } catch {
        // stopped between listing and sampling
      }
    }
  }

  private fail(message: string): void {
    this.st.errors++;
    this.emit({ diagnostic: diag('docker', 'docker-live', message, 'docker', 'warning') });
  }
}

function toIsoNano(msg: Obj): string | undefined {
  const tn = msg.timeNano;
  if (typeof tn === 'number') return new Date(tn / 1e6).toISOString();
  if (typeof msg.time === 'number') return new Date(msg.time * 1000).toISOString();
  return undefined;
}
