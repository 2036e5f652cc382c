// Host processes attributed by audit (an unauthorised VM): evidence of the whole tree
// from /proc, then freeze it (SIGSTOP, so nothing forks away), then SIGKILL, then check.
import { readFileSync, readdirSync, readlinkSync, createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeBundle, type EvidenceBundle } from './evidence.js';
import type { ActionOutcome } from './docker.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks after boot (field 22 of /proc/<pid>/stat). */
  start: number;
  state: string;
  exe?: string;
  cmdline: string;
}

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

/** Fields of /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): { ppid: number; state: string; start: number } | undefined {
  const i = text.lastIndexOf(')');
  if (i < 0) return undefined;
  const f = text.slice(i + 2).split(' ');
  const ppid = Number(f[1]);
  const start = Number(f[19]);
  return Number.isFinite(ppid) && Number.isFinite(start) ? { ppid, state: f[0] ?? '?', start } : undefined;
}

export function procInfo(pid: number): ProcInfo | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const st = stat ? parseStat(stat) : undefined;
  if (!st) return undefined;
  let exe: string | undefined;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    /* kernel thread or gone */
  }
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
  return { pid, ppid: st.ppid, start: st.start, state: st.state, cmdline, ...(exe ? { exe } : {}) };
}

export function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const n of readdirSync('/proc'))
    if (/^\d+$/.test(n)) {
      const p = procInfo(Number(n));
      if (p) out.push(p);
    }
  return out;
}

/** The process and all its descendants, parents before children. */
export function processTree(root: number, procs: ProcInfo[]): ProcInfo[] {
  const kids = new Map<number, ProcInfo[]>();
  for (const p of procs) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
  const top = procs.find((p) => p.pid === root);
  if (!top) return [];
  const out: ProcInfo[] = [];
  const queue = [top];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(kids.get(p.pid) ?? []));
  }
  return out;
}

/**
 * When a process started, wall clock: boot time plus its start in clock ticks. Linux reports
 * USER_HZ (100 on every architecture Node runs on) in /proc/<pid>/stat.
 */
export function startedAtMs(p: ProcInfo, stat: string | undefined = read('/proc/stat')): number | undefined {
  const btime = Number(/^btime (\d+)$/m.exec(stat ?? '')?.[1]);
  return Number.isFinite(btime) && btime > 0 ? btime * 1000 + (p.start / 100) * 1000 : undefined;
}

/** What the alert says about its process. */
export interface AlertProcess {
  pid?: number;
  executable?: string;
  command_line?: string;
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/**
 * The live process the alert is about: its pid if that process still runs the alert's
 * executable; otherwise (a daemonized VM forks away from the pid audit saw) the one
 * process running the same executable with the same command line. Never a guess among several.
 */
export function findAlertProcess(a: AlertProcess, procs: ProcInfo[]): { proc?: ProcInfo; reason: string } {
  const matches = (p: ProcInfo): boolean =>
    !!a.executable &&
    (p.exe === a.executable || p.exe?.replace(/ \(deleted\)$/, '') === a.executable || (!p.exe && base(p.cmdline.split(' ')[0] ?? '') === base(a.executable)));
  if (!a.executable) return { reason: 'the alert names no process executable' };
  const byPid = a.pid !== undefined ? procs.find((p) => p.pid === a.pid) : undefined;
  if (byPid && matches(byPid)) return { proc: byPid, reason: `pid ${byPid.pid} still runs ${a.executable}` };
  if (a.command_line) {
    const same = procs.filter((p) => matches(p) && p.cmdline === a.command_line);
    if (same.length === 1)
      return {
        proc: same[0]!,
        reason: `pid ${a.pid ?? '?'} ${byPid ? 'now runs something else' : 'is gone'}; pid ${same[0]!.pid} runs the same executable and command line`,
      };
    if (same.length > 1) return { reason: `pid ${a.pid ?? '?'} no longer matches and ${same.length} processes run the same command line; refusing to guess` };
  }
  return {
    reason: byPid
      ? `pid ${a.pid} now runs ${byPid.exe ?? byPid.cmdline}, not ${a.executable}`
      : `pid ${a.pid ?? '?'} is gone and no process runs ${a.executable} with the alert's command line`,
  };
}

/** Processes that must never be signalled: init, this process and its ancestors. */
export function untouchable(procs: ProcInfo[], self = process.pid): Set<number> {
  const s = new Set<number>([0, 1, self]);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (let p = byPid.get(self); p && p.ppid > 0 && !s.has(p.ppid); p = byPid.get(p.ppid)) s.add(p.ppid);
  s.add(process.ppid);
  return s;
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path) as AsyncIterable<Buffer>) h.update(c);
  return h.digest('hex');
}

/** /proc evidence of each process of a tree: status, command line, environment, open files, maps, executable digest. */
export async function preserveProcesses(tree: ProcInfo[], dir: string): Promise<EvidenceBundle> {
  const files: { name: string; data: string }[] = [];
  const missing: string[] = [];
  const summary: Record<string, unknown>[] = [];
  for (const p of tree) {
    const fds: Record<string, string> = {};
    try {
      for (const fd of readdirSync(`/proc/${p.pid}/fd`)) {
        try {
          fds[fd] = readlinkSync(`/proc/${p.pid}/fd/${fd}`);
        } catch {
          /* closed meanwhile */
        }
      }
    } catch (e) {
      missing.push(`pid ${p.pid} fds: ${(e as Error).message}`);
    }
    let exeSha: string | undefined;
    try {
      exeSha = await fileSha256(`/proc/${p.pid}/exe`);
    } catch (e) {
      missing.push(`pid ${p.pid} executable digest: ${(e as Error).message}`);
    }
    let cwd: string | undefined;
    try {
      cwd = readlinkSync(`/proc/${p.pid}/cwd`);
    } catch {
      /* gone or kernel thread */
    }
    const doc = {
      ...p,
      ...(cwd ? { cwd } : {}),
      ...(exeSha ? { exe_sha256: exeSha } : {}),
      status: read(`/proc/${p.pid}/status`),
      environ: (read(`/proc/${p.pid}/environ`) ?? '').split('\0').filter(Boolean),
      fds,
    };
    summary.push({ pid: p.pid, ppid: p.ppid, exe: p.exe, cmdline: p.cmdline, exe_sha256: exeSha });
    files.push({ name: `proc-${p.pid}.json`, data: JSON.stringify(doc, null, 2) });
    const maps = read(`/proc/${p.pid}/maps`);
    if (maps !== undefined) files.push({ name: `proc-${p.pid}.maps`, data: maps });
  }
  files.unshift({ name: 'tree.json', data: JSON.stringify(summary, null, 2) });
  return writeBundle(dir, files, missing, { subject: `process:${tree[0]?.pid}` });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): string | undefined {
  try {
    process.kill(pid, sig);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? undefined : `${pid}: ${(e as Error).message}`;
  }
}

/** Gone, or a zombie waiting for its parent: either way it runs no more. */
function ended(p: ProcInfo): boolean {
  const now = procInfo(p.pid);
  return !now || now.start !== p.start || now.state === 'Z';
}

/** Freezes then kills a tree (children found again after the freeze), and checks every process ended. */
export async function terminateTree(tree: ProcInfo[], waitMs = 5000): Promise<ActionOutcome> {
  const errors: string[] = [];
  for (const p of tree) {
    const e = signal(p.pid, 'SIGSTOP');
    if (e) errors.push(e);
  }
  // Anything forked between the listing and the freeze is frozen now too.
  const frozen = processTree(tree[0]!.pid, allProcs());
  const all = [...new Map([...tree, ...frozen].map((p) => [p.pid, p])).values()];
  for (const p of all) {
    const e = signal(p.pid, 'SIGKILL');
    if (e) errors.push(e);
  }
  const deadline = Date.now() + waitMs;
  let left = all.filter((p) => !ended(p));
  while (left.length && Date.now() < deadline) {
    await sleep(50);
    left = left.filter((p) => !ended(p));
  }
  if (left.length) throw new Error(`still running after SIGKILL: ${left.map((p) => p.pid).join(', ')}${errors.length ? ` (${errors.join('; ')})` : ''}`);
  return {
    detail: `killed ${all.length} process(es): ${all.map((p) => `${p.pid} ${base(p.exe ?? p.cmdline.split(' ')[0] ?? '?')}`).join(', ')}; none runs any more`,
    undo: 'none: a terminated process cannot be resumed; its evidence bundle holds its command line and environment',
    data: { pids: all.map((p) => p.pid) },
  };
}
