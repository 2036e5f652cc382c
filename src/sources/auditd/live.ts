// Live Linux audit: follows audit.log through rotations, assembles events, attributes
// each process to its container (cgroup while it lives, container init pids from Docker,
// the runtime's command lines, inheritance from the parent) and counts what it cannot.
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import type { StowawayEvent } from '../../model/event.js';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import type { LiveSource, SourceRecord, SourceStats } from '../types.js';
import type { EventTimings, TimingsHook } from '../types.js';
import { ContainerAttributor, containerIdFromCgroup, type ContainerRef } from '../attribution.js';
import { FileTail } from '../tail.js';
import { diag } from '../util.js';
import { createAuditParser, type AuditParser } from './reader.js';

export interface AuditLiveOptions {
  path?: string;
  attributor?: ContainerAttributor;
  /** Asks the container runtime for a container found by cgroup but not yet known. */
  lookupContainer?: (id: string) => Promise<ContainerRef | undefined>;
  fromStart?: boolean;
  /**
   * Reads happen when the file changes (inotify) and, as a fallback (file systems without
   * change notification, a missed notice across a rotation), every pollMs. Default 50.
   */
  pollMs?: number;
  /**
   * Completes an event whose records stopped arriving after this long. Syscall events end at
   * their PROCTITLE record and do not wait for this; it is for the rest (a record type without
   * PROCTITLE, a log cut mid-event). Default 200.
   */
  idleMs?: number;
  /**
   * How long after its own time an audit record may still reach the file: the kernel stamps
   * it, auditd writes it a few ms later. The source's watermark stays this far behind the
   * last time the log was read to its end. Default 150 (measured here under a live emulation
   * run: 26 ms at the 99th percentile, 48 ms at most).
   */
  watermarkSkewMs?: number;
  /** Stamps of each event on its way through (latency analysis); off when absent. */
  onTimings?: TimingsHook;
}

/** A read to the end of the log this recent is fresh enough for a watermark. */
const FRESH_MS = 5;

/** `msg=audit(1700000000.123:4567)`: the record's node-less key, read before parsing for first-sight stamps. */
const SERIAL = /msg=audit\(\d+\.\d+:(\d+)\)/;

/**
 * The kernel writes a syscall event's PROCTITLE record last and then an EOE record, which
 * auditd keeps out of its log. The EOE is given back to the assembler after each PROCTITLE
 * so the event completes as soon as it is read, instead of after the idle wait.
 */
const PROCTITLE = /^(node=\S+ )?type=PROCTITLE msg=audit\((\d+\.\d+:\d+)\)/;

/** The end-of-event record auditd dropped, for the event a PROCTITLE line closes; undefined for other lines. */
export function endOfEventFor(line: string): string | undefined {
  if (!line.includes('type=PROCTITLE ')) return undefined;
  const m = PROCTITLE.exec(line);
  return m ? `${m[1] ?? ''}type=EOE msg=audit(${m[2]}): ` : undefined;
}

export function readProcCgroup(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Learns every process alive now, so the descendants of processes started before
 * stowaway (shells, daemons) inherit a known container or host, even after they exit.
 */
export function seedFromProc(a: ContainerAttributor, proc = '/proc'): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cg = readFileSync(`${proc}/${name}/cgroup`, 'utf8');
      const stat = readFileSync(`${proc}/${name}/stat`, 'utf8');
      // ppid is the 2nd field after the parenthesized comm, which may itself hold spaces
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cid = containerIdFromCgroup(cg);
      if (cid === undefined) continue;
      a.learn(Number(name), cid, Number.isFinite(ppid) ? ppid : undefined);
      n++;
    } catch {
      // exited while we looked
    }
  }
  return n;
}

export class AuditLiveSource implements LiveSource {
  readonly name = 'auditd';
  readonly attributor: ContainerAttributor;
  private tail?: FileTail;
  private flushEnd?: () => void;
  private readonly st: SourceStats = { events: 0, errors: 0, dropped: 0, unattributed: 0 };
  private chain: Promise<void> = Promise.resolve();
  private readonly path: string;
  private readonly host = hostname();
  private parser?: AuditParser;
  /** Times (ms) of events assembled and not yet emitted (a container lookup may be under way), in order. */
  private readonly inFlight: number[] = [];
  /** With timings on: when the first record line of each serial still being assembled was read. */
  private readonly firstRead = new Map<number, number>();
  private watcher?: FSWatcher;
  private wakeQueued = false;
  private stopped = false;

  constructor(private readonly opts: AuditLiveOptions = {}) {
    this.path = opts.path ?? '/var/log/audit/audit.log';
    this.attributor = opts.attributor ?? new ContainerAttributor({ readCgroup: readProcCgroup });
  }

  async start(emit: (r: SourceRecord) => void): Promise<{ started: boolean; reason?: string }> {
    const parser = createAuditParser(this.path, this.attributor);
    this.parser = parser;
    const timings = this.opts.onTimings;
    const out = (rs: SourceRecord[]) => {
      const assembled = Date.now();
      for (const r of rs) {
        const t = 'event' in r ? Date.parse(r.event['@timestamp']) : NaN;
        const held = Number.isFinite(t);
        if (held) this.inFlight.push(t);
        const seen = timings && 'event' in r ? this.stamps(r.event, t, assembled) : undefined;
        this.chain = this.chain
          .then(() => this.deliver(r, emit, seen))
          .finally(() => {
            if (held) this.inFlight.shift();
          });
      }
    };
    this.flushEnd = () => out(parser.end());
    this.tail = new FileTail(this.path, {
      fromStart: this.opts.fromStart,
      pollMs: this.opts.pollMs ?? 50,
      onLine: (line, file, no) => {
        if (timings) this.noteRead(line);
        parser.setFile(file);
        out(parser.line(line, no));
        const eoe = endOfEventFor(line);
        if (eoe) out(parser.line(eoe, no));
      },
      onIdle: () => out(parser.flushIdle(this.opts.idleMs ?? 200)),
      onError: (m) => out([{ diagnostic: diag('auditd', 'audit-live', m, this.path, 'warning') }]),
    });
    seedFromProc(this.attributor);
    try {
      this.tail.start();
    } catch (e) {
      return { started: false, reason: `cannot read ${this.path}: ${(e as Error).message} (is auditd running? are we root?)` };
    }
    this.watchDir();
    return { started: true };
  }

  /**
   * Reads as soon as auditd writes. The directory is watched, not the file, so the new file
   * after a rotation is noticed too. Without notifications the poll timer does the work.
   */
  private watchDir(): void {
    const base = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_type, name) => {
        if (!name || name === base) this.wake();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  /** One read per turn of the event loop, however many writes were noticed. */
  private wake(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      if (!this.stopped) this.tail?.poll();
    });
  }

  private noteRead(line: string): void {
    const m = SERIAL.exec(line);
    if (!m) return;
    const serial = Number(m[1]);
    if (this.firstRead.has(serial)) return;
    this.firstRead.set(serial, Date.now());
    // events whose records never complete must not grow this for ever
    if (this.firstRead.size > 4096) this.firstRead.delete(this.firstRead.keys().next().value as number);
  }

  private stamps(ev: StowawayEvent, eventMs: number, assembled: number): EventTimings {
    const serial = ev.event?.sequence;
    const read = typeof serial === 'number' ? this.firstRead.get(serial) : undefined;
    if (typeof serial === 'number') this.firstRead.delete(serial);
    return {
      source: 'auditd',
      ...(Number.isFinite(eventMs) ? { event_ms: eventMs } : {}),
      read_ms: read ?? assembled,
      assembled_ms: assembled,
      calls: [],
      emitted_ms: 0,
    };
  }

  private async deliver(r: SourceRecord, emit: (r: SourceRecord) => void, seen?: EventTimings): Promise<void> {
    if ('event' in r) {
      const ev = r.event;
      const c = ev.container;
      if (c?.id && c.metadata !== 'complete' && this.opts.lookupContainer) {
        // found by cgroup before Docker told us about it: ask once, then it is cached
        const start = Date.now();
        const ref = await this.opts.lookupContainer(c.id).catch(() => undefined);
        seen?.calls.push({ call: 'container lookup', start_ms: start, end_ms: Date.now() });
        if (ref) {
          this.attributor.addContainer(ref);
          ev.container = { ...ref.info, ...c, name: ref.name, image: ref.image, labels: ref.labels, metadata: ref.name ? 'complete' : 'partial' };
          if (ref.name) delete ev.container.metadata_reason;
        }
      }
      ev.host ??= { name: this.host };
      ev.stowaway.origin = `auditd:${ev.stowaway.origin ?? this.path}`;
      this.st.events++;
      if ((ev.auditd as { attribution?: string } | undefined)?.attribution === 'unknown') this.st.unattributed++;
      this.st.lag_s = (Date.now() - Date.parse(ev['@timestamp'])) / 1000;
      if (seen) this.opts.onTimings?.(ev, { ...seen, emitted_ms: Date.now() });
    } else {
      this.st.errors++;
    }
    emit(r);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.tail?.stop();
    this.flushEnd?.();
    await this.chain;
  }

  stats(): SourceStats {
    return { ...this.st };
  }

  /**
   * Complete up to the last time the log was read to its end (less the write skew), and
   * never past an event still being assembled or still on its way out. The log is read to
   * its end first (when the last read is older than FRESH_MS): otherwise the answer would be
   * as old as the last poll, and a held correlation would wait for the next one.
   */
  watermark(): number | undefined {
    if (!this.stopped && this.tail && this.tail.eofAt !== undefined && Date.now() - this.tail.eofAt > FRESH_MS) this.tail.poll();
    const eof = this.tail?.eofAt;
    if (eof === undefined) return undefined;
    let wm = eof - (this.opts.watermarkSkewMs ?? 150);
    // just before them: a match at the watermark is released, and these must still find it waiting
    const pending = this.parser?.assembler.oldestPendingMs();
    if (pending !== undefined && pending - 1 < wm) wm = pending - 1;
    for (const t of this.inFlight) if (t - 1 < wm) wm = t - 1;
    return wm;
  }

  get rotations(): number {
    return this.tail?.rotations ?? 0;
  }
}
