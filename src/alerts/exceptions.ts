// Structured exceptions: a reviewed, named reason why one rule should stay quiet for
// a known-good workload. They are data, not rule edits, so they are linted, listed and
// counted — an excepted finding is never silently dropped.
import { textOf } from '../model/values.js';
import { yamlTooComplex } from '../sigma/yaml-guard.js';
import { globMatcher } from '../sigma/glob.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { getPath } from '../model/event.js';

export interface AlertException {
  id: string;
  /** Rule id (or exact title) the exception silences. */
  rule: string;
  reason: string;
  /** Workload scope; each present key must match. Values are globs (`*`). */
  scope?: { image?: string[]; namespace?: string[]; label?: Record<string, string> };
  /** Event field (ECS dotted path) → accepted values (globs); all fields must match. */
  when?: Record<string, string[]>;
  /** ISO date after which the exception stops applying (and lint warns). */
  expires?: string;
  file?: string;
  line?: number;
}

export interface ExceptionSet {
  exceptions: AlertException[];
  diagnostics: Diagnostic[];
}

const TOP_KEYS = new Set(['id', 'rule', 'reason', 'scope', 'when', 'expires', 'author']);
const SCOPE_KEYS = new Set(['image', 'namespace', 'label']);

function asStringList(v: unknown): string[] | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return v.map(String);
  return undefined;
}

/** Parses exception YAML text; every problem is a diagnostic and a bad entry never hides a good one. */
export function parseExceptions(text: string, file = '<exceptions>', now: Date = new Date()): ExceptionSet {
  const diagnostics: Diagnostic[] = [];
  const lc = new LineCounter();
  const complex = yamlTooComplex(text);
  if (complex) return { exceptions: [], diagnostics: [{ severity: 'error', code: 'yaml-too-complex', message: `file refused: ${complex}`, file }] };
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  for (const e of doc.errors) {
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: e.message, file, line: e.linePos?.[0]?.line });
  }
  if (doc.errors.length) return { exceptions: [], diagnostics };
  const root = doc.contents;
  const list = isMap(root) ? root.get('exceptions', true) : root;
  if (root === null || root === undefined) return { exceptions: [], diagnostics };
  if (!isSeq(list)) {
    diagnostics.push({ severity: 'error', code: 'exceptions-shape', message: 'expected a list under `exceptions:`', file, line: 1 });
    return { exceptions: [], diagnostics };
  }
  const exceptions: AlertException[] = [];
  const seen = new Set<string>();
  list.items.forEach((node, i) => {
    const line = node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? lc.linePos(node.range[0]).line : undefined;
    const raw = (node as { toJSON?: () => unknown })?.toJSON?.() as Record<string, unknown> | undefined;
    const bad = (code: string, message: string, severity: Diagnostic['severity'] = 'error'): void => {
      diagnostics.push({ severity, code, message, file, line, rule: typeof raw?.rule === 'string' ? raw.rule : undefined });
    };
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      bad('exception-shape', `entry ${i + 1} is not a mapping`);
      return;
    }
    for (const k of Object.keys(raw)) if (!TOP_KEYS.has(k)) bad('exception-unknown-key', `unknown key '${k}' (known: ${[...TOP_KEYS].join(', ')})`);
    const id = typeof raw.id === 'string' && raw.id ? raw.id : `${file}#${i + 1}`;
    if (typeof raw.id !== 'string' || !raw.id) bad('exception-no-id', `entry ${i + 1} has no id; it is listed as '${id}'`, 'warning');
    if (seen.has(id)) {
      bad('exception-duplicate-id', `duplicate exception id '${id}'; the later one is ignored`);
      return;
    }
    if (typeof raw.rule !== 'string' || !raw.rule) {
      bad('exception-no-rule', `exception '${id}' names no rule; an exception silences one rule`);
      return;
    }
    if (typeof raw.reason !== 'string' || !raw.reason.trim()) {
      bad('exception-no-reason', `exception '${id}' gives no reason; say why this workload is known-good`);
      return;
    }
    const ex: AlertException = { id, rule: raw.rule, reason: raw.reason.trim(), file };
    if (line !== undefined) ex.line = line;
    if (raw.scope !== undefined) {
      if (!raw.scope || typeof raw.scope !== 'object' || Array.isArray(raw.scope)) {
        bad('exception-scope', `exception '${id}': scope must be a mapping of image, namespace, label`);
        return;
      }
      const s = raw.scope as Record<string, unknown>;
      for (const k of Object.keys(s))
        if (!SCOPE_KEYS.has(k)) {
          bad('exception-scope', `exception '${id}': unknown scope '${k}' (image, namespace, label)`);
          return;
        }
      ex.scope = {};
      if (s.image !== undefined) {
        const v = asStringList(s.image);
        if (!v) {
          bad('exception-scope', `exception '${id}': scope.image must be a string or list of strings`);
          return;
        }
        ex.scope.image = v;
      }
      if (s.namespace !== undefined) {
        const v = asStringList(s.namespace);
        if (!v) {
          bad('exception-scope', `exception '${id}': scope.namespace must be a string or list of strings`);
          return;
        }
        ex.scope.namespace = v;
      }
      if (s.label !== undefined) {
        if (!s.label || typeof s.label !== 'object' || Array.isArray(s.label)) {
          bad('exception-scope', `exception '${id}': scope.label must map label names to values`);
          return;
        }
        ex.scope.label = Object.fromEntries(Object.entries(s.label as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      }
    }
    if (raw.when !== undefined) {
      if (!raw.when || typeof raw.when !== 'object' || Array.isArray(raw.when)) {
        bad('exception-when', `exception '${id}': when must map event fields to values`);
        return;
      }
      ex.when = {};
      for (const [k, v] of Object.entries(raw.when as Record<string, unknown>)) {
        const list = asStringList(v);
        if (!list) {
          bad('exception-when', `exception '${id}': when.${k} must be a value or list of values`);
          return;
        }
        ex.when[k] = list;
      }
    }
    if (!ex.scope && !ex.when) bad('exception-broad', `exception '${id}' has no scope and no when: it silences rule '${ex.rule}' everywhere`, 'warning');
    if (raw.expires !== undefined) {
      const d = new Date(textOf(raw.expires));
      if (Number.isNaN(d.getTime())) {
        bad('exception-expires', `exception '${id}': expires '${textOf(raw.expires)}' is not a date`);
        return;
      }
      ex.expires = d.toISOString();
      if (d < now) bad('exception-expired', `exception '${id}' expired on ${ex.expires.slice(0, 10)} and no longer applies`, 'warning');
    }
    seen.add(id);
    exceptions.push(ex);
  });
  return { exceptions, diagnostics };
}

export function loadExceptions(file: string, now?: Date): ExceptionSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { exceptions: [], diagnostics: [{ severity: 'error', code: 'exceptions-unreadable', message: (e as Error).message, file }] };
  }
  return parseExceptions(text, file, now);
}

/** Case-insensitive, `*` only; the shared linear-time matcher (an exception runs on attacker text). */
export function globMatch(glob: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  const test = globMatcher(glob, { caseInsensitive: true });
  if (Array.isArray(value)) return value.some((v) => test(String(v)));
  return test(textOf(value));
}

function imageOf(e: StowawayEvent): string | undefined {
  const img = e.container?.image;
  if (!img?.name) return undefined;
  return img.tag && !/:[^/]+$/.test(img.name) ? `${img.name}:${img.tag}` : img.name;
}

function eventMatches(ex: AlertException, e: StowawayEvent): boolean {
  const s = ex.scope;
  if (
    s?.image &&
    !s.image.some((g) => globMatch(g, imageOf(e)) || globMatch(g, e.container?.image?.name) || (e.orchestrator?.pod?.images ?? []).some((i) => globMatch(g, i)))
  )
    return false;
  if (s?.namespace && !s.namespace.some((g) => globMatch(g, e.orchestrator?.namespace))) return false;
  if (s?.label) {
    const labels = { ...(e.labels ?? {}), ...(e.container?.labels ?? {}) };
    for (const [k, v] of Object.entries(s.label)) if (!globMatch(v, labels[k])) return false;
  }
  if (ex.when) {
    for (const [field, values] of Object.entries(ex.when)) {
      const actual = getPath(e, field);
      if (!values.some((g) => globMatch(g, actual))) return false;
    }
  }
  return true;
}

/** The first exception that covers this finding: its rule, and every triggering event inside the scope. */
export function matchException(exceptions: readonly AlertException[], f: Finding, at: Date = new Date()): AlertException | undefined {
  for (const ex of exceptions) {
    if (ex.rule !== f.rule.id && ex.rule !== f.rule.title) continue;
    if (ex.expires && new Date(ex.expires) < at) continue;
    if (f.events.length === 0 ? !ex.scope && !ex.when : f.events.every((e) => eventMatches(ex, e))) return ex;
  }
  return undefined;
}

/** What "add exception from this alert" needs of the alert: its rule and whom it is about. */
export interface ExceptionSubject {
  id: string;
  rule: { id: string; title: string };
  entity: { host?: string; container?: { image?: string }; pod?: { namespace?: string; images?: string[] } };
}

/** How long an exception written from the page lasts unless told otherwise: reviewed again, not forever. */
export const DEFAULT_EXCEPTION_DAYS = 90;

/**
 * The narrowest exception that covers the alert's workload: its image (container image, or the
 * pod's images) and namespace; a host-only alert is scoped by `host.name`. An alert naming none
 * of these is refused: an exception from it would silence the rule everywhere.
 */
export function exceptionFromAlert(
  a: ExceptionSubject,
  o: { reason: string; author?: string; days?: number; now?: Date; id?: string },
): {
  id: string;
  rule: string;
  reason: string;
  author?: string;
  scope?: { image?: string[]; namespace?: string[] };
  when?: Record<string, string[]>;
  expires: string;
} {
  const reason = o.reason.trim();
  if (!reason) throw new Error('an exception needs a reason: say why this workload is known-good');
  const images = a.entity.container?.image ? [a.entity.container.image] : (a.entity.pod?.images ?? []);
  const ns = a.entity.pod?.namespace;
  const scope: { image?: string[]; namespace?: string[] } = {};
  if (images.length) scope.image = [...images];
  if (ns) scope.namespace = [ns];
  const when = !images.length && !ns && a.entity.host ? { 'host.name': [a.entity.host] } : undefined;
  if (!images.length && !ns && !when)
    throw new Error(`alert ${a.id} names no image, namespace or host: an exception from it would silence '${a.rule.title}' everywhere`);
  const days = o.days ?? DEFAULT_EXCEPTION_DAYS;
  const now = o.now ?? new Date();
  return {
    id: o.id ?? `alert-${a.id.replace(/[^A-Za-z0-9-]/g, '').slice(-12)}`,
    rule: a.rule.id,
    reason,
    ...(o.author ? { author: o.author } : {}),
    ...(Object.keys(scope).length ? { scope } : {}),
    ...(when ? { when } : {}),
    expires: new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10),
  };
}

/**
 * Adds one entry to an exceptions file (created if missing), keeping what is there, comments
 * included. The whole file is linted first: an entry the linter refuses is not written, and the
 * file is replaced in one rename, so a reader never sees half of it.
 */
export function appendException(
  file: string,
  entry: Record<string, unknown>,
  now: Date = new Date(),
): { exception: AlertException; diagnostics: Diagnostic[] } {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const before = text.trim() ? parseExceptions(text, file, now) : { exceptions: [], diagnostics: [] };
  if (before.diagnostics.some((d) => d.code === 'yaml-syntax' || d.code === 'exceptions-shape' || d.code === 'yaml-too-complex'))
    throw new Error(`${file} is not a valid exceptions file; fix it first (stowaway alerts exceptions)`);
  let id = String(entry.id);
  for (let n = 2; before.exceptions.some((x) => x.id === id); n++) id = `${String(entry.id)}-${n}`;
  const doc = text.trim() ? parseDocument(text) : parseDocument('exceptions: []\n');
  if (!isMap(doc.contents) || !isSeq(doc.contents.get('exceptions', true))) doc.contents = doc.createNode({ exceptions: [] }) as typeof doc.contents;
  const seq = (doc.contents as unknown as { get(k: string, keep: true): { add(v: unknown): void; flow?: boolean } }).get('exceptions', true);
  seq.flow = false;
  seq.add(doc.createNode({ ...entry, id }));
  const out = doc.toString();
  const after = parseExceptions(out, file, now);
  const added = after.exceptions.find((x) => x.id === id);
  const own = after.diagnostics.filter((d) => d.severity === 'error' && !before.diagnostics.some((b) => b.message === d.message));
  if (!added || own.length) throw new Error(`exception refused by lint: ${own.map((d) => d.message).join('; ') || 'not parsed back'}`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, out, { mode: 0o600 });
  renameSync(tmp, file);
  return { exception: added, diagnostics: after.diagnostics.filter((d) => d.rule === added.rule || d.message.includes(`'${id}'`)) };
}
