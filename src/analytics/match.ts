// Routing and attribution shared by every analytic: does an event belong to it, and to which entity.
import { textOf } from '../model/values.js';
import { toNumber } from '../model/values.js';
import type { LogSource, StowawayEvent } from '../model/event.js';
import type { Where } from './types.js';

/** Sigma semantics: every part the analytic names must equal the event's. */
export function logsourceMatches(want: LogSource, ev: StowawayEvent): boolean {
  const have = ev.stowaway?.logsource ?? {};
  if (want.product !== undefined && want.product !== have.product) return false;
  if (want.category !== undefined && want.category !== have.category) return false;
  if (want.service !== undefined && want.service !== have.service) return false;
  return true;
}

export function whereMatches(where: Where, ev: StowawayEvent): boolean {
  for (const [field, allowed] of Object.entries(where)) {
    const v = readPath(ev, field);
    const vals = Array.isArray(v) ? v : [v];
    if (!vals.some((x) => allowed.some((a) => a === x || String(a) === String(x)))) return false;
  }
  return true;
}

const splitCache = new Map<string, string[]>();

/** `getPath` with the split cached: entity and term fields are read on every event. */
export function readPath(obj: unknown, path: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const rec = obj as Record<string, unknown>;
  if (path in rec) return rec[path];
  let parts = splitCache.get(path);
  if (!parts) {
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(path, (parts = path.split('.')));
  }
  let cur: unknown = obj;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Scalar values of the fields, or undefined when one is missing: the event cannot be attributed. */
export function fieldValues(ev: StowawayEvent, fields: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const f of fields) {
    const v = readPath(ev, f);
    if (v === undefined || v === null || v === '') return undefined;
    out.push(textOf(v));
  }
  return out;
}

/** One string per tuple; the unit separator cannot occur in field values we key on. */
export const joinKey = (vals: readonly string[]): string => vals.join('\u001f');
export const splitKey = (key: string): string[] => key.split('\u001f');

export function keyObject(fields: readonly string[], key: string): Record<string, string> {
  const vals = splitKey(key);
  return Object.fromEntries(fields.map((f, i) => [f, vals[i] ?? '']));
}

// Every analytic parses the same event's time, and the same watermark, in turn: remember the last.
let lastEvent: StowawayEvent | undefined;
let lastEventMs: number | undefined;
let lastText: string | undefined;
let lastTextMs = NaN;

export function eventTimeMs(ev: StowawayEvent): number | undefined {
  if (ev === lastEvent) return lastEventMs;
  const t = parseTime(ev['@timestamp']);
  lastEvent = ev;
  lastEventMs = Number.isFinite(t) ? t : undefined;
  return lastEventMs;
}

export function parseTime(text: string): number {
  if (text !== lastText) {
    lastText = text;
    lastTextMs = Date.parse(text);
  }
  return lastTextMs;
}

export function numberAt(ev: StowawayEvent, field: string): number | undefined {
  return toNumber(readPath(ev, field));
}
