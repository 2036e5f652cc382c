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

export class AuditAssembler {
  private readonly pending = new Map<string, AuditGroup & { lastSeen: number }>();
  private newest = -1;
  private readonly lookbehind: number;
  private readonly maxPending: number;
  /** Serials recently completed, to spot a record that arrives after its event left. */
  private readonly done: string[] = [];
  private readonly doneSet = new Set<string>();
  lateRecords = 0;

  constructor(opts: AssemblerOptions = {}) {
    this.lookbehind = opts.lookbehind ?? 32;
    this.maxPending = opts.maxPending ?? 4096;
  }

  /** Adds a record; returns the events it completed, oldest first. */
  push(rec: AuditRecord, origin?: string, now = Date.now()): AuditGroup[] {
    const key = `${rec.node ?? ''}:${rec.serial}`;
    const out: AuditGroup[] = [];
    if (this.doneSet.has(key) && rec.type !== 'EOE') this.lateRecords++;
    let g = this.pending.get(key);
    if (rec.type === 'EOE') {
      if (g) out.push(this.finish(key, true));
      return out;
    }
    if (!g && rec.serial + 1000 < this.newest) {
      // serials restarted (reboot, log of another boot appended): what is pending is done
      for (const k of [...this.pending.keys()]) out.push(this.finish(k, true));
      this.newest = rec.serial;
    }
    if (!g) {
      g = { serial: rec.serial, node: rec.node, timeMs: rec.timeMs, records: [], complete: false, origin, lastSeen: now };
      this.pending.set(key, g);
    }
    g.records.push(rec);
    g.lastSeen = now;
    if (rec.serial > this.newest) {
      this.newest = rec.serial;
      for (const [k, p] of this.pending) if (p.serial <= this.newest - this.lookbehind && (p.node ?? '') === (rec.node ?? '')) out.push(this.finish(k, true));
    }
    while (this.pending.size > this.maxPending) out.push(this.finish(this.pending.keys().next().value as string, true));
    return out.sort((a, b) => a.serial - b.serial);
  }

  /** Completes events idle for at least `idleMs` (live tailing); all of them when idleMs is 0. */
  flushIdle(idleMs: number, now = Date.now()): AuditGroup[] {
    const out: AuditGroup[] = [];
    for (const [k, p] of this.pending) if (now - p.lastSeen >= idleMs) out.push(this.finish(k, idleMs > 0));
    return out.sort((a, b) => a.serial - b.serial);
  }

  /** End of input: whatever is pending leaves, marked incomplete only if it lacks its main record. */
  flush(): AuditGroup[] {
    return this.flushIdle(0, Number.POSITIVE_INFINITY).map((g) => ({ ...g, complete: g.records.some((r) => MAIN_TYPES.has(r.type)) }));
  }

  /** Event time (ms) of the oldest event still being assembled; undefined when none is. */
  oldestPendingMs(): number | undefined {
    let t: number | undefined;
    for (const p of this.pending.values()) if (t === undefined || p.timeMs < t) t = p.timeMs;
    return t;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private finish(key: string, complete: boolean): AuditGroup {
    const p = this.pending.get(key)!;
    this.pending.delete(key);
    this.done.push(key);
    this.doneSet.add(key);
    if (this.done.length > 1024) this.doneSet.delete(this.done.shift()!);
    const { lastSeen: _l, ...g } = p;
    return { ...g, complete };
  }
}

// Records that carry the event's subject; an event made only of auxiliary records
// (PATH, CWD, PROCTITLE ...) lost its head, e.g. across a log rotation.
const MAIN_TYPES = new Set(['SYSCALL', 'USER_CMD', 'USER_START', 'USER_END', 'USER_LOGIN', 'USER_AUTH', 'USER_ACCT', 'CRED_ACQ', 'CRED_DISP', 'CRED_REFR', 'CONFIG_CHANGE', 'DAEMON_START', 'DAEMON_END', 'SERVICE_START', 'SERVICE_STOP', 'ANOM_ABEND', 'ANOM_PROMISCUOUS', 'AVC', 'USER_AVC', 'LOGIN', 'KERN_MODULE', 'NETFILTER_CFG', 'ADD_USER', 'DEL_USER', 'ADD_GROUP', 'USER_CHAUTHTOK', 'SYSTEM_BOOT', 'SYSTEM_SHUTDOWN', 'USER_ERR', 'USER_MAC_POLICY_LOAD', 'MAC_STATUS', 'SECCOMP', 'BPF', 'DAEMON_ROTATE', 'DAEMON_ABORT', 'USER', 'USYS_CONFIG', 'TTY', 'USER_TTY']);

export function hasMainRecord(g: AuditGroup): boolean {
  return g.records.some((r) => MAIN_TYPES.has(r.type));
}
