// Durations as Sigma writes them: a whole number and one lowercase unit letter.
import { canonicalIsoMs } from '../../model/iso-time.js';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `90m` → 5 400 000; undefined when the text is not a duration. `0s` is allowed (lateness). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text * 1000;
  if (typeof text !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|[smhdw])\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : n * UNIT_MS[m[2]!]!;
}

/** Event time in epoch milliseconds; NaN when the timestamp cannot be read. */
export function eventTimeMs(ts: unknown): number {
  if (typeof ts === 'number') return ts;
  if (typeof ts !== 'string') return NaN;
  const ms = canonicalIsoMs(ts);
  return Number.isNaN(ms) ? Date.parse(ts) : ms;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
