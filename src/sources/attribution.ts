// Which container a host process belongs to. Sources of truth, strongest first:
// the process's cgroup while it lives, a container's init pid (Docker State.Pid),
// the container runtime's own command line (shim `-id <id>`, `runc ... <id>`) whose
// children are the container's processes, and inheritance from the parent.
import type { ContainerInfo, StowawayEvent } from '../model/event.js';

export type Attribution = 'container' | 'host' | 'unknown';

export interface ContainerRef {
  id: string;
  name?: string;
  image?: ContainerInfo['image'];
  /** Host pid of the container's init process. */
  pid?: number;
  labels?: Record<string, string>;
  /** Everything the runtime said about the container (privileged, mounts ...), when it was asked. */
  info?: ContainerInfo;
}

interface ProcEntry {
  cid: string | null; // null: known host process
  runtimeFor?: string; // a shim/runc process acting for this container
  runtime?: boolean;
  ppid?: number;
}

export interface AttributorOptions {
  /** Reads /proc/<pid>/cgroup; absent when replaying files. */
  readCgroup?: (pid: number) => string | undefined;
  /** Bound on the process table; oldest entries leave first. */
  maxProcesses?: number;
}

const RUNTIME_EXE = /(?:^|\/)(?:containerd-shim[\w-]*|runc|crun|conmon|youki|dockerd|containerd|docker-proxy)$/;
const CID = /^[0-9a-f]{64}$/;

/** Container id from /proc/<pid>/cgroup text (cgroup v1 or v2, cgroupfs or systemd drivers). */
export function containerIdFromCgroup(text: string): string | null | undefined {
  if (!text.trim()) return undefined;
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const m = /(?:docker|cri-containerd|crio|libpod|containerd)[-/]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(path) ?? /\/([0-9a-f]{64})(?:\/|$)/.exec(path);
    if (m) return m[1]!;
  }
  return null;
}

export class ContainerAttributor {
  private readonly procs = new Map<number, ProcEntry>();
  private readonly initPids = new Map<number, string>();
  private readonly containers = new Map<string, ContainerRef>();
  private readonly max: number;
  counts = { container: 0, host: 0, unknown: 0 };

  constructor(private readonly opts: AttributorOptions = {}) {
    this.max = opts.maxProcesses ?? 65536;
  }

  addContainer(ref: ContainerRef): void {
    const prev = this.containers.get(ref.id);
    this.containers.set(ref.id, { ...prev, ...ref });
    if (ref.pid && ref.pid > 0) this.initPids.set(ref.pid, ref.id);
  }

  removeContainer(id: string): void {
    const c = this.containers.get(id);
    if (c?.pid) this.initPids.delete(c.pid);
    this.containers.delete(id);
  }

  container(id: string): ContainerRef | undefined {
    return this.containers.get(id);
  }

  /** Resolves one pid to a container id (null: host; undefined: cannot tell). */
  resolve(pid: number | undefined, ppid?: number): string | null | undefined {
    if (pid === undefined) return undefined;
    const init = this.initPids.get(pid);
    if (init) return init;
    const cg = this.opts.readCgroup?.(pid);
    if (cg !== undefined) {
      const id = containerIdFromCgroup(cg);
      if (id !== undefined) return id;
    }
    const known = this.procs.get(pid);
    // A runtime entry is stale once the pid execs the container's own program; an entry
    // with another parent is a reused pid.
    if (known && !known.runtime && (ppid === undefined || known.ppid === undefined || known.ppid === ppid)) return known.cid;
    return ppid !== undefined ? this.viaParent(ppid) : undefined;
  }

  private viaParent(ppid: number): string | null | undefined {
    const init = this.initPids.get(ppid);
    if (init) return init;
    const p = this.procs.get(ppid);
    if (p?.runtimeFor) return p.runtimeFor;
    if (p) return p.cid;
    const cg = this.opts.readCgroup?.(ppid);
    if (cg !== undefined) return containerIdFromCgroup(cg);
    return undefined;
  }

  /**
   * Learns from a process event (exec: the new image and its arguments) and sets the
   * event's container fields. Returns how it was attributed.
   */
  attribute(ev: StowawayEvent): Attribution {
    const p = ev.process;
    const pid = p?.pid;
    if (pid === undefined) return this.count('unknown');
    const exe = p?.executable ?? '';
    const runtime = RUNTIME_EXE.test(exe);
    let cid: string | null | undefined;
    if (runtime) {
      // the runtime runs on the host; remember which container it serves
      cid = null;
      const target =
        runtimeTarget(p?.args ?? []) ?? this.procs.get(pid)?.runtimeFor ?? (p?.ppid !== undefined ? this.procs.get(p.ppid)?.runtimeFor : undefined);
      this.remember(pid, { cid: null, runtime: true, runtimeFor: target, ppid: p?.ppid });
    } else {
      cid = this.resolve(pid, p?.ppid);
      if (cid !== undefined) this.remember(pid, { cid, ppid: p?.ppid });
    }
    if (cid) {
      const c = this.containers.get(cid);
      ev.container = {
        ...(c?.info ? withoutState(c.info) : {}),
        ...ev.container,
        id: cid,
        name: c?.name,
        image: c?.image,
        labels: c?.labels,
        runtime: ev.container?.runtime ?? 'docker',
        metadata: c?.name ? 'complete' : 'partial',
        metadata_reason: c?.name ? undefined : 'process attributed by pid; the container runtime was not asked for its metadata',
      };
      if (!ev.container.metadata_reason) delete ev.container.metadata_reason;
      return this.count('container');
    }
    return this.count(cid === null ? 'host' : 'unknown');
  }

  /**
   * Reads the cgroup of a process (and its parent) the moment its first record is seen,
   * before the event is complete: a short-lived process may be gone by then.
   */
  prime(pid: number | undefined, ppid: number | undefined): void {
    if (!this.opts.readCgroup || pid === undefined) return;
    for (const [p, pp] of [
      [pid, ppid],
      [ppid, undefined],
    ] as Array<[number | undefined, number | undefined]>) {
      if (p === undefined || this.initPids.has(p)) continue;
      const known = this.procs.get(p);
      if (known && p !== pid) continue;
      const cg = this.opts.readCgroup(p);
      if (cg === undefined) continue;
      const cid = containerIdFromCgroup(cg);
      if (cid !== undefined && !known?.runtime) this.remember(p, { cid, ppid: pp ?? known?.ppid });
    }
  }

  /** Seeds the table with a process seen outside the event stream (a /proc scan at start). */
  learn(pid: number, cid: string | null, ppid?: number): void {
    this.remember(pid, { cid, ppid });
  }

  /** A process exited: its entry may go (children already learned their container). */
  forget(pid: number): void {
    this.procs.delete(pid);
  }

  get size(): number {
    return this.procs.size;
  }

  private remember(pid: number, e: ProcEntry): void {
    this.procs.delete(pid);
    this.procs.set(pid, e);
    if (this.procs.size > this.max) this.procs.delete(this.procs.keys().next().value as number);
  }

  private count(a: Attribution): Attribution {
    this.counts[a]++;
    return a;
  }
}

// An audit event describes a process, not the container's lifecycle: leave out exit state.
function withoutState(c: ContainerInfo): ContainerInfo {
  const { exit_code: _e, lifetime_s: _l, cpu: _c, memory: _m, network: _n, ...rest } = c;
  return rest;
}

/** The container id a runtime command line acts on: shim `-id X`, `runc ... create|start|exec ... X`, bundle paths. */
export function runtimeTarget(args: string[]): string | undefined {
  const i = args.indexOf('-id');
  if (i >= 0 && CID.test(args[i + 1] ?? '')) return args[i + 1];
  for (let k = args.length - 1; k >= 1; k--) if (CID.test(args[k]!)) return args[k];
  for (const a of args) {
    const m = /\/([0-9a-f]{64})(?:\/|$)/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}
