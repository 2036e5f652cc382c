// Groups audit records into events by serial. An event completes on its EOE record, when
// a sufficiently newer serial arrives (records of one event are written together, a few
// other events may interleave), or when it has waited long enough (flushIdle).
import type { AuditRecord } from './parse.js';

export interface AuditGroup {
  serial: number;
  node?: string;
  timeMs: number;
  records: AuditRecord[];
  /** True when completed by EOE or by a newer serial; false when forced out by a flush. */
  complete: boolean;
  /** Where its first record was read (file:line). */
  origin?: string;
}

export interface AssemblerOptions {
  /** Serials an event may lag behind the newest before it is considered complete. */
  lookbehind?: number;
  /** Bound on pending events; the oldest is completed when exceeded. */
  maxPending?: number;
}

interface Pending {
  key: PendingKey;
  group: AuditGroup;
  lastSeen: number;
}

// A record without a node keys by its serial alone: no string to build for each record.
type PendingKey = number | string;

const DONE_WINDOW = 1024;

export class AuditAssembler {
  private readonly pending = new Map<PendingKey, Pending>();
  private newest = -1;
  private readonly lookbehind: number;
  private readonly maxPending: number;
  /** Serials recently completed (a ring of the last DONE_WINDOW), to spot a record that arrives after its event left. */
  private readonly done: PendingKey[] = new Array<PendingKey>(DONE_WINDOW);
  private doneNext = 0;
  private doneCount = 0;
  private readonly doneSet = new Set<PendingKey>();
  lateRecords = 0;

  constructor(opts: AssemblerOptions = {}) {
    this.lookbehind = opts.lookbehind ?? 32;
    this.maxPending = opts.maxPending ?? 4096;
  }

  /** Adds a record; returns the events it completed, oldest first. */
  push(rec: AuditRecord, origin?: string, now = Date.now()): AuditGroup[] {
    const key: PendingKey = rec.node ? `${rec.node}:${rec.serial}` : rec.serial;
    const out: AuditGroup[] = [];
    if (this.doneSet.has(key) && rec.type !== 'EOE') this.lateRecords++;
    let p = this.pending.get(key);
    if (rec.type === 'EOE') {
      if (p) out.push(this.finish(p, true));
      return out;
    }
    if (!p && rec.serial + 1000 < this.newest) {
      // serials restarted (reboot, log of another boot appended): what is pending is done
      for (const q of [...this.pending.values()]) out.push(this.finish(q, true));
      this.newest = rec.serial;
    }
    if (!p) {
      p = { key, group: { serial: rec.serial, node: rec.node, timeMs: rec.timeMs, records: [], complete: false, origin }, lastSeen: now };
      this.pending.set(key, p);
    }
    p.group.records.push(rec);
    p.lastSeen = now;
    if (rec.serial > this.newest) {
      this.newest = rec.serial;
      const node = rec.node ?? '';
      const oldest = this.newest - this.lookbehind;
      for (const q of this.pending.values()) if (q.group.serial <= oldest && (q.group.node ?? '') === node) out.push(this.finish(q, true));
    }
    while (this.pending.size > this.maxPending) out.push(this.finish(this.pending.values().next().value as Pending, true));
    if (out.length > 1) out.sort(bySerial);
    return out;
  }

  /** Completes events idle for at least `idleMs` (live tailing); all of them when idleMs is 0. */
  flushIdle(idleMs: number, now = Date.now()): AuditGroup[] {
    const out: AuditGroup[] = [];
    for (const p of this.pending.values()) if (now - p.lastSeen >= idleMs) out.push(this.finish(p, idleMs > 0));
    return out.sort(bySerial);
  }

  /** End of input: whatever is pending leaves, marked incomplete only if it lacks its main record. */
  flush(): AuditGroup[] {
    const out = this.flushIdle(0, Number.POSITIVE_INFINITY);
    for (const g of out) g.complete = hasMainRecord(g);
    return out;
  }

  /** Event time (ms) of the oldest event still being assembled; undefined when none is. */
  oldestPendingMs(): number | undefined {
    let t: number | undefined;
    for (const p of this.pending.values()) if (t === undefined || p.group.timeMs < t) t = p.group.timeMs;
    return t;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private finish(p: Pending, complete: boolean): AuditGroup {
    this.pending.delete(p.key);
    this.doneSet.add(p.key);
    if (this.doneCount === DONE_WINDOW) this.doneSet.delete(this.done[this.doneNext]!);
    else this.doneCount++;
    this.done[this.doneNext] = p.key;
    this.doneNext = (this.doneNext + 1) % DONE_WINDOW;
    p.group.complete = complete;
    return p.group;
  }
}

function bySerial(a: AuditGroup, b: AuditGroup): number {
  return a.serial - b.serial;
}

// Records that carry the event's subject; an event made only of auxiliary records
// (PATH, CWD, PROCTITLE ...) lost its head, e.g. across a log rotation.
export const MAIN_TYPES: ReadonlySet<string> = new Set([
  'SYSCALL',
  'USER_CMD',
  'USER_START',
  'USER_END',
  'USER_LOGIN',
  'USER_AUTH',
  'USER_ACCT',
  'CRED_ACQ',
  'CRED_DISP',
  'CRED_REFR',
  'CONFIG_CHANGE',
  'DAEMON_START',
  'DAEMON_END',
  'SERVICE_START',
  'SERVICE_STOP',
  'ANOM_ABEND',
  'ANOM_PROMISCUOUS',
  'AVC',
  'USER_AVC',
  'LOGIN',
  'KERN_MODULE',
  'NETFILTER_CFG',
  'ADD_USER',
  'DEL_USER',
  'ADD_GROUP',
  'USER_CHAUTHTOK',
  'SYSTEM_BOOT',
  'SYSTEM_SHUTDOWN',
  'USER_ERR',
  'USER_MAC_POLICY_LOAD',
  'MAC_STATUS',
  'SECCOMP',
  'BPF',
  'DAEMON_ROTATE',
  'DAEMON_ABORT',
  'USER',
  'USYS_CONFIG',
  'TTY',
  'USER_TTY',
]);

export function hasMainRecord(g: AuditGroup): boolean {
  return g.records.some((r) => MAIN_TYPES.has(r.type));
}
