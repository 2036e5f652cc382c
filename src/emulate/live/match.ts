// Deciding which detections belong to which emulated scenario, and whether
// they name the right container and process. Pure functions over what the
// pipeline delivered and what Docker itself told us about the scenario.
import type { Finding } from '../../model/alert.js';
import type { ExpectedAlert } from './format.js';
import { firstDefined, imageName } from '../../alerts/entity.js';
import type { FindingTrace } from './trace.js';

/** A detection as the live pipeline delivered it, stamped with wall-clock arrival. */
export interface Received {
  rule: string;
  title: string;
  received_ms: number;
  time: string;
  container?: { id?: string; name?: string; image?: string };
  process?: { pid?: number; executable?: string; command_line?: string };
  /** Executable and command line of every contributing event that has a process (correlations carry several). */
  processes: string[];
  /** Lower-cased JSON of the contributing events, for marker search. */
  haystack: string;
  /** Where its time went, when the pipeline stamps events. */
  trace?: FindingTrace;
}

/** What Docker's own event stream says a scenario created (independent of stowaway's sources). */
export interface WitnessedContainer {
  id: string;
  name: string;
  image: string;
}

export function toReceived(f: Finding, received_ms: number): Received {
  const ev = f.events;
  const cid = firstDefined(ev, (e) => e.container?.id);
  const cname = firstDefined(ev, (e) => e.container?.name);
  const cimage = firstDefined(ev, imageName);
  const pexe = firstDefined(ev, (e) => e.process?.executable);
  const pcmd = firstDefined(ev, (e) => e.process?.command_line ?? (e.process?.args ? e.process.args.join(' ') : undefined));
  const ppid = firstDefined(ev, (e) => e.process?.pid);
  const processes = ev
    .filter((e) => e.process)
    .map((e) => `${e.process!.executable ?? ''} ${e.process!.command_line ?? (e.process!.args ?? []).join(' ')}`.trim())
    .filter((p) => p !== '');
  let haystack = '';
  try {
    haystack = JSON.stringify({ events: ev, group: f.group ?? null }).toLowerCase();
  } catch {
    haystack = '';
  }
  return {
    rule: f.rule.id,
    title: f.rule.title,
    received_ms,
    time: f.time,
    ...(cid || cname || cimage ? { container: { ...(cid ? { id: cid } : {}), ...(cname ? { name: cname } : {}), ...(cimage ? { image: cimage } : {}) } } : {}),
    ...(pexe || pcmd || ppid
      ? { process: { ...(ppid ? { pid: ppid } : {}), ...(pexe ? { executable: pexe } : {}), ...(pcmd ? { command_line: pcmd } : {}) } }
      : {}),
    processes,
    haystack,
  };
}

/** Ids are compared on their common prefix so a 12-char short id matches the full one. */
export function sameContainerId(a: string, b: string): boolean {
  if (!a || !b) return false;
  const n = Math.min(a.length, b.length, 64);
  return n >= 12 && a.slice(0, n) === b.slice(0, n);
}

/** A detection belongs to a scenario when it names one of its containers or carries its marker. */
export function belongsTo(r: Received, mark: string, containers: WitnessedContainer[]): boolean {
  if (r.container?.id && containers.some((c) => sameContainerId(c.id, r.container!.id!))) return true;
  if (r.container?.name && r.container.name.replace(/^\//, '').startsWith(mark)) return true;
  return r.haystack.includes(mark.toLowerCase());
}

/** Why a detection does not satisfy an expectation, or undefined when it does. */
export function mismatch(r: Received, exp: ExpectedAlert, containers: WitnessedContainer[]): string | undefined {
  if (r.rule !== exp.rule) return `rule ${r.rule} is not ${exp.rule}`;
  if (exp.container) {
    const id = r.container?.id;
    if (!id) return 'no container id on the alert';
    const c = containers.find((w) => sameContainerId(w.id, id));
    if (!c) return `container ${id.slice(0, 12)} is not one this scenario created (${containers.map((w) => w.id.slice(0, 12)).join(', ') || 'none witnessed'})`;
    if (exp.image && !(r.container?.image ?? '').includes(exp.image)) return `image ${r.container?.image ?? '(none)'} does not contain ${exp.image}`;
    if (exp.image && !c.image.includes(exp.image)) return `Docker says container ${id.slice(0, 12)} runs ${c.image}, not ${exp.image}`;
  } else if (exp.image && !(r.container?.image ?? '').includes(exp.image)) {
    return `image ${r.container?.image ?? '(none)'} does not contain ${exp.image}`;
  }
  if (exp.host && r.container?.id) return `expected a host process, but the alert names container ${r.container.id.slice(0, 12)}`;
  if (exp.process && !r.processes.some((p) => p.includes(exp.process!)))
    return `no process on the alert contains ${exp.process} (${r.processes.join(' | ') || 'no process'})`;
  return undefined;
}

/** Nearest-rank percentile of a list of numbers; undefined for an empty list. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}
