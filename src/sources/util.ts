// Small pure helpers every normalizer shares.
import { toNumber } from '../model/values.js';
import { parseImageRef } from '../model/image.js';
import { canonicalIsoMs } from '../model/iso-time.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number, or a string that is one (model/values.ts). */
export const num = toNumber;

export function strings(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.filter((x): x is string => typeof x === 'string');
  return out.length ? out : undefined;
}

/** Whether a date string has 4 or more fraction digits (the pattern below, without running it for the usual 3). */
function hasLongFraction(text: string): boolean {
  const dot = text.lastIndexOf('.');
  if (dot < 0) return false;
  let n = 0;
  for (let i = dot + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n++;
  }
  return n >= 4;
}

/** Removes undefined members (deeply) so events carry only what a source knew. */
export function compact<T>(v: T): T {
  if (Array.isArray(v)) return v.map(compact) as T;
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k in v) {
    const x = v[k];
    // JSON.parse makes `__proto__` an own key; assigning it would swap the copy's prototype
    if (x === undefined || k === '__proto__') continue;
    // leaves are most members: no call for them
    if (typeof x !== 'object' || x === null) {
      out[k] = x;
      continue;
    }
    const c = compact(x);
    if (isObj(c) && isEmpty(c)) continue;
    out[k] = c;
  }
  return out as T;
}

function isEmpty(o: Obj): boolean {
  for (const _ in o) return false;
  return true;
}

/** ISO UTC from seconds, milliseconds, nanoseconds (number or bigint string) or a date string. */
export function toIso(v: unknown): string | undefined {
  if (typeof v === 'string') {
    // most sources already write toISOString's form: then the text is its own answer
    if (!Number.isNaN(canonicalIsoMs(v))) return v;
    // a date (`2024-…`) is never a number: no pattern test for the common case
    if (v.charCodeAt(4) !== 45 /* - */ && /^\d+(\.\d+)?$/.test(v)) return toIso(Number(v));
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : isoWithFraction(v, t);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  const ms = v > 1e17 ? v / 1e6 : v > 1e14 ? v / 1e3 : v > 1e11 ? v : v * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

// Keeps sub-millisecond digits when a source gives them (Kubernetes, Falco): ordering
// within one millisecond matters for correlations.
function isoWithFraction(text: string, ms: number): string {
  const iso = new Date(ms).toISOString();
  if (!hasLongFraction(text)) return iso;
  const m = /\.(\d{4,9})(Z|[+-]\d\d:?\d\d)?$/.exec(text);
  // only the plain 4-digit-year form takes extra digits: `+275760-…` would be cut mid-field
  if (!m || (m[2] && m[2] !== 'Z') || iso.length !== 24) return iso;
  return `${iso.slice(0, 20)}${m[1]!}Z`;
}

export function diag(source: string, code: string, message: string, origin?: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const d: Diagnostic = { severity, code, message, source };
  if (origin) {
    const m = /^(.*):(\d+)$/.exec(origin);
    if (m) {
      d.file = m[1];
      d.line = Number(m[2]);
    } else d.file = origin;
  }
  return d;
}

export function basename(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const i = lastSeparator(p);
  return i >= 0 ? p.slice(i + 1) || undefined : p;
}

export function dirname(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const i = lastSeparator(p);
  return i > 0 ? p.slice(0, i) : i === 0 ? p.slice(0, 1) : undefined;
}

/**
 * The last `/` or backslash in p, or -1: one walk back from the end (a path's name is short), where
 * two lastIndexOf calls each went through the whole string.
 */
export function lastSeparator(p: string): number {
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p.charCodeAt(i);
    if (c === 47 /* / */ || c === 92 /* backslash */) return i;
  }
  return -1;
}

export function extension(p: string | undefined): string | undefined {
  const b = basename(p);
  if (!b) return undefined;
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i + 1) : undefined;
}

/** Quotes arguments the way a shell user would read them back. */
export function joinArgs(args: string[]): string {
  return args.map((a) => (a === '' ? "''" : /[\s"'\\$`]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/**
 * `s.indexOf(pattern, from)`, found by searching the pattern from its character at `at` on and
 * comparing the characters before it where that part occurs. V8 stops at every place the
 * pattern's first character occurs; when that one is common (`<` in XML) and the one at `at` is
 * rare, this measured about five times faster (171 against 843 ns to find `</Event>` across a
 * Sysmon record, searching `vent>`).
 */
export function searchFrom(pattern: string, at: number): (s: string, from?: number) => number {
  if (at <= 0 || at >= pattern.length) return (s, from) => s.indexOf(pattern, from);
  const head = pattern.slice(0, at);
  const tail = pattern.slice(at);
  return (s, from = 0) => {
    for (let i = s.indexOf(tail, Math.max(from, 0) + at); i >= 0; i = s.indexOf(tail, i + 1)) if (s.startsWith(head, i - at)) return i - at;
    return -1;
  };
}

/** Splits a command line on whitespace, honouring simple single/double quotes. */
export function splitArgs(s: string): string[] {
  // Most command lines are ASCII without quotes: their arguments are the runs of non-space,
  // cut in one pass rather than by the pattern below (every process event splits one).
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */ || c === 39 /* ' */ || c > 126) return splitArgsQuoted(s);
    if (c === 32 || (c >= 9 && c <= 13)) {
      if (start >= 0) out.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** splitArgs for any text: quotes, and every space `\s` knows. */
export function splitArgsQuoted(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

export function fileFields(path: string | undefined): StowawayEvent['file'] {
  if (!path) return undefined;
  return { path, name: basename(path), directory: dirname(path), extension: extension(path) };
}

/** `repo:tag` into image name/tag, for sources that give one string (a digest is not a tag). */
export function imageRefOrUndefined(ref: string | undefined): { name?: string; tag?: string } | undefined {
  if (!ref) return undefined;
  const r = parseImageRef(ref);
  if (r.id) return { name: ref };
  return r.tag !== undefined ? { name: r.name, tag: r.tag } : { name: r.name };
}

/** Drops undefined members of one object, without descending. */
export function shallowDefined<T extends Obj>(o: T): T {
  const out: Obj = {};
  for (const k in o) if (o[k] !== undefined && k !== '__proto__') out[k] = o[k];
  return out as T;
}

/**
 * compact() for an event whose source-native record sits under `native` keys: the
 * native record is kept as given (not walked or copied; it can be large).
 */
export function compactEvent<T extends object>(ev: T, native: string[]): T {
  const e = ev as Obj;
  const saved: Array<[string, unknown]> = [];
  for (const k of native) {
    if (e[k] !== undefined) saved.push([k, e[k]]);
    delete e[k];
  }
  const out = compact(e);
  for (const [k, v] of saved) out[k] = isObj(v) ? shallowDefined(v) : v;
  return out as T;
}
