// One detection item (`field|mod|mod: values`) → a predicate over an EventView, plus the
// literal text any match must contain (the candidate index's witness).
import type { DetectionItem, SigmaValue } from './ast.js';
import {
  compilePattern,
  hasWildcards,
  literalPattern,
  longestLiteral,
  mapLiterals,
  parsePattern,
  patternText,
  plainText,
  wrapStar,
  type Pattern,
} from './pattern.js';
import type { RegexFactory } from './regex.js';
import { regexLiterals } from './regex-literals.js';
import { EventView, foldDashes, toText } from './fields.js';
import { parseCidr, type Cidr } from './ip.js';

export const MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'm',
  's',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
]);
const TIME = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const ENCODE = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide']);

export interface ItemOptions {
  regex: RegexFactory;
  placeholders: Record<string, string[]>;
}

/** A literal a matching field value must contain (lowercased); field '' means any string of the event (keywords). */
export interface Witness {
  field: string;
  text: string;
}

export interface CompiledItem {
  field: string | null;
  /** The item as written after pipelines, for explanations. */
  text: string;
  /** A function property, not a method: compiled nodes call it unbound on the hot path. */
  test: (v: EventView) => boolean;
  /** One of these must be present for the item to be true; undefined when no such set exists. */
  witnesses?: Witness[];
}

export type ItemResult = { ok: true; item: CompiledItem } | { ok: false; code: string; reason: string };

const fail = (code: string, reason: string): ItemResult => ({ ok: false, code, reason });

function valueText(v: SigmaValue): string | undefined {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'number':
      return v.text;
    case 'bool':
      return String(v.value);
    default:
      return undefined;
  }
}

export function itemText(item: DetectionItem): string {
  const key = [item.field ?? '', ...item.modifiers].join('|');
  const vals = item.values.map((v) => (v.kind === 'null' ? 'null' : JSON.stringify(valueText(v))));
  return `${key || '(keywords)'}: ${vals.length === 1 ? vals[0] : '[' + vals.join(', ') + ']'}`;
}

/** `%name%` placeholders (with `\%` for a plain percent) → every combination of their values. */
function expandPlaceholders(raw: string, ph: Record<string, string[]>): string[] | { missing: string } {
  const parts: string[][] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && raw[i + 1] === '%') {
      lit += '%';
      i++;
    } else if (c === '%') {
      const end = raw.indexOf('%', i + 1);
      if (end < 0) {
        lit += c;
        continue;
      }
      const name = raw.slice(i + 1, end);
      const vals = ph[name];
      if (!vals || vals.length === 0) return { missing: name };
      parts.push([lit]);
      parts.push(vals);
      lit = '';
      i = end;
    } else lit += c;
  }
  parts.push([lit]);
  let out = [''];
  for (const alts of parts) out = out.flatMap((o) => alts.map((a) => o + a));
  return out;
}

// Encoders work on bytes: after a utf16 modifier a value is a byte string (one char per byte).
type Encoded = { text: string; bytes: boolean };

function toBytes(e: Encoded): Uint8Array {
  if (e.bytes) return Uint8Array.from(e.text, (c) => c.charCodeAt(0) & 0xff);
  return new TextEncoder().encode(e.text);
}
function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}
function b64(b: Uint8Array): string {
  return btoa(bytesToLatin1(b));
}
function utf16(text: string, le: boolean, bom: boolean): string {
  let s = bom ? (le ? '\xff\xfe' : '\xfe\xff') : '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    s += le ? String.fromCharCode(c & 0xff, c >> 8) : String.fromCharCode(c >> 8, c & 0xff);
  }
  return s;
}

function encode(mod: string, e: Encoded): Encoded[] {
  switch (mod) {
    case 'base64':
      return [{ text: b64(toBytes(e)), bytes: false }];
    case 'base64offset': {
      const bytes = toBytes(e);
      const out: Encoded[] = [];
      for (let shift = 0; shift < 3; shift++) {
        const padded = new Uint8Array(shift + bytes.length);
        padded.set(bytes, shift);
        const enc = b64(padded);
        // Drop characters that also depend on the unknown bytes before or after the value.
        const start = [0, 2, 3][shift]!;
        const endCut = [0, 3, 2][(bytes.length + shift) % 3]!;
        out.push({ text: enc.slice(start, enc.length - endCut), bytes: false });
      }
      return out;
    }
    case 'utf16le':
    case 'wide':
      return [{ text: utf16(e.text, true, false), bytes: true }];
    case 'utf16be':
      return [{ text: utf16(e.text, false, false), bytes: true }];
    case 'utf16':
      return [{ text: utf16(e.text, true, true), bytes: true }];
  }
  return [e];
}

function numberOf(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof x === 'bigint') return Number(x);
  return undefined;
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
}

function timePart(x: unknown, part: string): number | undefined {
  const d = typeof x === 'number' ? new Date(x) : typeof x === 'string' ? new Date(x) : undefined;
  if (!d || Number.isNaN(d.getTime())) return undefined;
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'week':
      return isoWeek(d);
    case 'month':
      return d.getUTCMonth() + 1;
    default:
      return d.getUTCFullYear();
  }
}

export function compileItem(item: DetectionItem, opts: ItemOptions): ItemResult {
  const mods = item.modifiers;
  for (const m of mods)
    if (!MODIFIERS.has(m)) return fail('unknown-modifier', `unknown modifier '${m}' in '${[item.written ?? item.field ?? '', ...mods].join('|')}'`);
  const has = (m: string) => mods.includes(m);
  const field = item.field;
  const text = itemText(item);
  const all = has('all');
  const cased = has('cased');
  const neq = has('neq');
  if ((has('i') || has('m') || has('s')) && !has('re')) return fail('bad-modifier', "modifiers 'i', 'm' and 's' only apply with 're'");
  const nulls = item.values.filter((v) => v.kind === 'null').length;
  const ok = (test: (v: EventView) => boolean, witnesses?: Witness[]): ItemResult => ({ ok: true, item: { field, text, test, witnesses } });

  // Presence checks first: they look at the field, not its values.
  if (has('exists')) {
    if (field === null) return fail('bad-modifier', "'exists' needs a field");
    const want = item.values[0];
    if (item.values.length !== 1 || want?.kind !== 'bool') return fail('bad-modifier', "'exists' takes true or false");
    return ok((v) => v.values(field).length > 0 === want.value);
  }
  if (nulls > 0) {
    if (field === null) return fail('bad-detection', 'a keyword cannot be null');
    if (nulls !== item.values.length || mods.length > 0) return fail('bad-detection', `'${field}': null cannot be mixed with other values or modifiers`);
    return ok((v) => v.values(field).every((x) => x === null));
  }
  if (field === null && (COMPARE.has(mods[0] ?? '') || has('fieldref') || has('cidr') || mods.some((m) => TIME.has(m)))) {
    return fail('bad-modifier', `modifier '${mods.join('|')}' needs a field`);
  }

  const combine = (tests: ((v: EventView) => boolean)[]): ((v: EventView) => boolean) => {
    const one = tests.length === 1 ? tests[0]! : all ? (v: EventView) => tests.every((t) => t(v)) : (v: EventView) => tests.some((t) => t(v));
    return neq ? (v) => !one(v) : one;
  };

  // Time parts: compare a number taken from a date field.
  const timeMod = mods.find((m) => TIME.has(m));
  const cmp = mods.find((m) => COMPARE.has(m));
  if (timeMod || cmp) {
    const f = field!;
    const tests: ((v: EventView) => boolean)[] = [];
    for (const val of item.values) {
      const n = numberOf(val.kind === 'number' ? val.value : valueText(val));
      if (n === undefined) return fail('bad-value', `'${text}': ${cmp ?? timeMod} needs a number`);
      const rel =
        cmp === 'lt'
          ? (x: number) => x < n
          : cmp === 'lte'
            ? (x: number) => x <= n
            : cmp === 'gt'
              ? (x: number) => x > n
              : cmp === 'gte'
                ? (x: number) => x >= n
                : (x: number) => x === n;
      tests.push((v) =>
        v.values(f).some((x) => {
          const num = timeMod ? timePart(x, timeMod) : numberOf(x);
          return num !== undefined && rel(num);
        }),
      );
    }
    return ok(combine(tests));
  }

  if (has('cidr')) {
    const f = field!;
    const nets: Cidr[] = [];
    for (const val of item.values) {
      const c = parseCidr(valueText(val) ?? '');
      if (!c) return fail('bad-value', `'${text}': '${valueText(val)}' is not a CIDR range`);
      nets.push(c);
    }
    const tests = nets.map((net) => (v: EventView) => v.ips(f).some((ip) => ip.v6 === net.v6 && (ip.value & net.mask) === net.base));
    return ok(combine(tests));
  }

  if (has('fieldref')) {
    const f = field!;
    const mode = has('contains') ? 'contains' : has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : 'eq';
    const tests = item.values.map((val) => {
      const other = valueText(val) ?? '';
      return (v: EventView) => {
        const mine = cased ? v.strings(f) : v.lowered(f);
        const theirs = cased ? v.strings(other) : v.lowered(other);
        return mine.some((a) =>
          theirs.some((b) => (mode === 'eq' ? a === b : mode === 'contains' ? a.includes(b) : mode === 'startswith' ? a.startsWith(b) : a.endsWith(b))),
        );
      };
    });
    return ok(combine(tests));
  }

  // String values from here on; expand placeholders first, then encoders in the order written.
  let values: { pattern: Pattern; raw: string; bytes?: boolean }[] = [];
  for (const val of item.values) {
    const t = valueText(val);
    if (t === undefined) return fail('bad-value', `'${text}': unsupported value`);
    if (has('expand')) {
      const ex = expandPlaceholders(t, opts.placeholders);
      if (!Array.isArray(ex)) return fail('unresolved-placeholder', `placeholder %${ex.missing}% has no values; supply it with a placeholders file`);
      // Placeholder values are Sigma strings themselves, so their wildcards stay wildcards.
      for (const e of ex) values.push({ pattern: parsePattern(e), raw: e });
    } else if (has('re')) values.push({ pattern: literalPattern(t), raw: t });
    else values.push({ pattern: val.kind === 'string' ? parsePattern(t) : literalPattern(t), raw: t });
  }

  if (has('re')) {
    const bad = mods.find((m) => !['re', 'i', 'm', 's', 'all', 'neq', 'cased'].includes(m));
    if (bad) return fail('bad-modifier', `'${bad}' cannot be combined with 're'`);
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    const tests: ((v: EventView) => boolean)[] = [];
    for (const { raw } of values) {
      const r = opts.regex(raw, flags);
      if (!r.ok) return fail(r.code, `regex /${raw}/: ${r.reason}`);
      const re = r.regex;
      tests.push(field === null ? (v) => v.allStrings(false).some((s) => re.test(s)) : (v) => v.strings(field).some((s) => re.test(s)));
    }
    // Sets of literals, one of which every match must contain, let the index skip events that cannot match.
    const sets = values.map(({ raw }) => regexLiterals(raw));
    const wf = field ?? '';
    const shortest = (s: string[]) => (s.length ? Math.min(...s.map((x) => x.length)) : 0);
    let witnesses: Witness[] | undefined;
    if (!neq && all) {
      // every value must match, so any one value's set will do: the most selective
      const best = sets.reduce<string[]>((a, b) => (shortest(b) > shortest(a) ? b : a), []);
      if (best.length) witnesses = best.map((text) => ({ field: wf, text }));
    } else if (!neq && sets.every((s) => s.length > 0)) witnesses = [...new Set(sets.flat())].map((text) => ({ field: wf, text }));
    return ok(combine(tests), witnesses);
  }

  for (const m of mods) {
    if (!ENCODE.has(m)) continue;
    const next: typeof values = [];
    for (const { pattern, bytes } of values) {
      if (hasWildcards(pattern)) return fail('bad-modifier', `'${m}' cannot encode a value with wildcards ('${patternText(pattern)}')`);
      for (const e of encode(m, { text: plainText(pattern), bytes: bytes ?? false }))
        next.push({ pattern: literalPattern(e.text), raw: e.text, bytes: e.bytes });
    }
    values = next;
  }
  const before = has('contains') || has('endswith');
  const after = has('contains') || has('startswith');
  const windash = has('windash');
  const fold = (s: string) => (windash ? foldDashes(s) : s);
  const patterns = values.map(({ pattern }) => mapLiterals(wrapStar(pattern, before, after), (s) => fold(cased ? s : s.toLowerCase())));
  const tests =
    field !== null && !windash && !all && patterns.length > 1
      ? [anyOf(field, patterns, cased)]
      : patterns.map((p) => {
          const m = compilePattern(p);
          if (field === null) {
            // Keywords match anywhere in any value, as a full-text search would.
            const mk = compilePattern(wrapStar(p, true, true));
            return windash ? (v: EventView) => v.allStrings(!cased).some((s) => mk(foldDashes(s))) : (v: EventView) => v.allStrings(!cased).some(mk);
          }
          if (windash) return (v: EventView) => v.windash(field, cased).some(m);
          return cased ? (v: EventView) => v.strings(field).some(m) : (v: EventView) => v.lowered(field).some(m);
        });

  let witnesses: Witness[] | undefined;
  // Keywords get witnesses too, on the pseudo-field '' (every string of the event).
  if (!neq) {
    const wf = field ?? '';
    const lits = patterns.map((p) => {
      const l = longestLiteral(p).toLowerCase();
      return windash ? l.split('-').reduce((a, b) => (b.length > a.length ? b : a), '') : l;
    });
    if (all) {
      const best = lits.reduce((a, b) => (b.length > a.length ? b : a), '');
      if (best) witnesses = [{ field: wf, text: best }];
    } else if (lits.every((l) => l.length > 0)) witnesses = [...new Set(lits)].map((text) => ({ field: wf, text }));
  }
  return ok(combine(tests), witnesses);
}

/**
 * One field against a list of values (any may match): the field's values are read once and the
 * plain values become one set lookup, where a test per value would look the field up per value.
 * Rules list dozens of executables or paths this way.
 */
function anyOf(field: string, patterns: Pattern[], cased: boolean): (v: EventView) => boolean {
  const exact = new Set<string>();
  const globs: ((s: string) => boolean)[] = [];
  for (const p of patterns) {
    if (hasWildcards(p)) globs.push(compilePattern(p));
    else exact.add(plainText(p));
  }
  return (v) => {
    const vals = cased ? v.strings(field) : v.lowered(field);
    for (let i = 0; i < vals.length; i++) {
      const s = vals[i]!;
      if (exact.has(s)) return true;
      for (let k = 0; k < globs.length; k++) if (globs[k]!(s)) return true;
    }
    return false;
  };
}

export { toText };
