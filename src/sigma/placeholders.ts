// The one reader of placeholder files: the values `%name%` stands for in rules with the
// `expand` modifier. Placeholders are the allowlist mechanism of the shipped content
// (approved images, known socket images…), so every command reads them the same way and
// a user's file layers over the built-in one (see docs/tuning.md).
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { readText } from '../model/files.js';
import { yamlTooComplex } from './yaml-guard.js';

export type Placeholders = Record<string, string[]>;

/** One name of a placeholder file: its values, and whether they replace earlier files' values or add to them. */
export interface PlaceholderEntry {
  values: string[];
  replace: boolean;
}

const SCALAR = new Set(['string', 'number', 'boolean']);

function scalars(v: unknown): string[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  return list.every((x) => SCALAR.has(typeof x)) ? list.map(String) : undefined;
}

/**
 * Parses a placeholders document: `name: value`, `name: [values]` (added to the same name of
 * earlier files) or `name: { replace: [values] }` (instead of them). `%name%` keys are read as
 * `name`. Entries that are not scalars are refused one by one, the rest are kept.
 */
export function parsePlaceholders(text: string, file: string): { entries: Record<string, PlaceholderEntry>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Names come from the file: a prototype-free object, so `__proto__` is a name like any other.
  const entries = Object.create(null) as Record<string, PlaceholderEntry>;
  const complex = yamlTooComplex(text);
  if (complex) {
    diagnostics.push({ severity: 'error', code: 'bad-placeholders', message: complex, file });
    return { entries, diagnostics };
  }
  const doc = parseDocument(text, { prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: err.message.split('\n')[0] ?? err.message, file, line: err.linePos?.[0]?.line });
    return { entries, diagnostics };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'bad-placeholders', message: e instanceof Error ? e.message : String(e), file });
    return { entries, diagnostics };
  }
  if (raw === null || raw === undefined) return { entries, diagnostics };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    diagnostics.push({ severity: 'error', code: 'bad-placeholders', message: 'a placeholders file maps names to a value or a list of values', file });
    return { entries, diagnostics };
  }
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const name = key.replace(/^%|%$/g, '');
    const replace = v !== null && typeof v === 'object' && !Array.isArray(v);
    const body = replace ? (v as Record<string, unknown>).replace : v;
    const values = body === undefined ? undefined : scalars(body);
    if (!values || (replace && Object.keys(v).some((k) => k !== 'replace'))) {
      diagnostics.push({
        severity: 'error',
        code: 'bad-placeholders',
        message: `placeholder ${name} must be a value, a list of values or { replace: [values] }; ignored`,
        file,
      });
      continue;
    }
    entries[name] = { values, replace };
  }
  return { entries, diagnostics };
}

/** Layers one file's entries over the values so far: lists add (without repeats) unless the entry replaces. */
export function layerPlaceholders(base: Placeholders, entries: Record<string, PlaceholderEntry>): Placeholders {
  const out = Object.assign(Object.create(null) as Placeholders, base);
  for (const [name, e] of Object.entries(entries)) {
    const before = e.replace ? [] : (out[name] ?? []);
    out[name] = [...new Set([...before, ...e.values])];
  }
  return out;
}

/** Reads the files in order, each layered over the ones before; unreadable files are reported and skipped. */
export async function readPlaceholderFiles(files: readonly string[]): Promise<{ placeholders: Placeholders; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  let placeholders = Object.create(null) as Placeholders;
  for (const file of files) {
    const text = await readText(file, diagnostics);
    if (text === undefined) continue;
    const r = parsePlaceholders(text, file);
    diagnostics.push(...r.diagnostics);
    placeholders = layerPlaceholders(placeholders, r.entries);
  }
  return { placeholders, diagnostics };
}
