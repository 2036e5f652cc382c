// Reading fields from an event for matching. A path `a.b.c` walks nested objects, fans out over
// arrays (any element may match) and also accepts literal dotted keys at any level
// (`zeek.conn` → `id.orig_h`). Per event, values are read and lowercased once and shared by all rules.

import { parseIp, type Ip } from './ip.js';

export type Accessor = (root: unknown) => unknown[];

const accessors = new Map<string, Accessor>();

/** keys[i][j]: parts i..j joined with dots, precomputed for literal dotted keys. */
function collect(cur: unknown, parts: string[], keys: string[][], i: number, out: unknown[]): void {
  if (Array.isArray(cur)) {
    for (let k = 0; k < cur.length; k++) collect(cur[k], parts, keys, i, out);
    return;
  }
  if (i === parts.length) {
    if (cur !== undefined) out.push(cur);
    return;
  }
  if (cur === null || typeof cur !== 'object') return;
  const rec = cur as Record<string, unknown>;
  const direct = rec[parts[i]!];
  if (direct !== undefined) collect(direct, parts, keys, i + 1, out);
  // Literal dotted keys (`zeek.conn` holds `id.orig_h`): try joining the next parts.
  const ks = keys[i]!;
  for (let j = i + 2; j <= parts.length; j++) {
    const v = rec[ks[j]!];
    if (v !== undefined) collect(v, parts, keys, j, out);
  }
}

function flatten(v: unknown): unknown[] {
  if (!Array.isArray(v)) return [v];
  const out: unknown[] = [];
  const rec = (x: unknown): void => {
    if (Array.isArray(x)) for (let k = 0; k < x.length; k++) rec(x[k]);
    else out.push(x);
  };
  rec(v);
  return out;
}

/** Compiled reader for one field path; cached, since rules share field names. */
export function accessor(path: string): Accessor {
  let a = accessors.get(path);
  if (a) return a;
  const parts = path.split('.');
  const keys = parts.map((_, i) => parts.map((__, j) => (j > i ? parts.slice(i, j).join('.') : '')).concat(parts.slice(i).join('.')));
  // Arrays at the leaf are flattened by collect itself (it recurses into them at i === n).
  const slow = (root: unknown): unknown[] => {
    const out: unknown[] = [];
    collect(root, parts, keys, 0, out);
    return out;
  };
  const n = parts.length;
  // Fast path: plain nested objects all the way; anything else (arrays, dotted keys) walks fully.
  a = (root) => {
    if (root === null || typeof root !== 'object') return [];
    const whole = (root as Record<string, unknown>)[path];
    if (whole !== undefined && n > 1) return flatten(whole);
    let cur: unknown = root;
    for (let i = 0; i < n; i++) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return slow(root);
      const next: unknown = (cur as Record<string, unknown>)[parts[i]!];
      if (next === undefined) return n > 1 ? slow(root) : [];
      cur = next;
    }
    return Array.isArray(cur) ? flatten(cur) : [cur];
  };
  accessors.set(path, a);
  return a;
}

/** Sigma compares values as strings; objects have no string form a rule could mean. */
export function toText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    default:
      return undefined;
  }
}

const DASHES = /[-/\u2013\u2014\u2015]/g;
/** `windash` compares with every dash-like flag character folded to `-`, on both sides. */
export function foldDashes(s: string): string {
  return s.replace(DASHES, '-');
}

/** Per-event cache shared by every rule evaluated on the event. */
export class EventView {
  private raw = new Map<string, unknown[]>();
  private text = new Map<string, string[]>();
  private lower = new Map<string, string[]>();
  private dashed: Map<string, string[]> | undefined;
  private addresses: Map<string, Ip[]> | undefined;
  private everything: string[] | undefined;
  private everythingLower: string[] | undefined;
  constructor(readonly event: unknown) {}

  values(path: string): unknown[] {
    let v = this.raw.get(path);
    if (!v) {
      v = accessor(path)(this.event);
      this.raw.set(path, v);
    }
    return v;
  }

  strings(path: string): string[] {
    let v = this.text.get(path);
    if (!v) {
      const raw = this.values(path);
      let allText = true;
      for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string') allText = false;
      if (allText) v = raw as string[];
      else {
        v = [];
        for (const x of raw) {
          const t = toText(x);
          if (t !== undefined) v.push(t);
        }
      }
      this.text.set(path, v);
    }
    return v;
  }

  lowered(path: string): string[] {
    let v = this.lower.get(path);
    if (!v) {
      const src = this.strings(path);
      v = new Array<string>(src.length);
      for (let i = 0; i < src.length; i++) v[i] = src[i]!.toLowerCase();
      this.lower.set(path, v);
    }
    return v;
  }

  /** The field's values that parse as IP addresses, parsed once for every `cidr` test. */
  ips(path: string): Ip[] {
    this.addresses ??= new Map();
    let v = this.addresses.get(path);
    if (!v) {
      v = [];
      for (const s of this.strings(path)) {
        const ip = parseIp(s);
        if (ip) v.push(ip);
      }
      this.addresses.set(path, v);
    }
    return v;
  }

  windash(path: string, cased: boolean): string[] {
    const key = (cased ? 'c:' : 'i:') + path;
    this.dashed ??= new Map();
    let v = this.dashed.get(key);
    if (!v) {
      v = (cased ? this.strings(path) : this.lowered(path)).map(foldDashes);
      this.dashed.set(key, v);
    }
    return v;
  }

  /** Every string leaf of the event, for keyword searches; Stowaway's own bookkeeping is left out. */
  allStrings(lower: boolean): string[] {
    if (!this.everything) {
      const out: string[] = [];
      const walk = (x: unknown, depth: number): void => {
        if (typeof x === 'string') out.push(x);
        else if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') out.push(String(x));
        else if (depth > 32 || x === null || typeof x !== 'object') return;
        else if (Array.isArray(x)) for (let i = 0; i < x.length; i++) walk(x[i], depth + 1);
        else {
          const rec = x as Record<string, unknown>;
          for (const k in rec) if (depth !== 0 || k !== 'stowaway') walk(rec[k], depth + 1);
        }
      };
      walk(this.event, 0);
      this.everything = out;
    }
    if (!lower) return this.everything;
    if (!this.everythingLower) {
      const src = this.everything;
      const low = new Array<string>(src.length);
      for (let i = 0; i < src.length; i++) low[i] = src[i]!.toLowerCase();
      this.everythingLower = low;
    }
    return this.everythingLower;
  }
}
