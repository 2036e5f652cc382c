// Reads for lists and charts: a page of alerts (keyset paging under any sort), groups by a key,
// volume over time, counts per technique, ids by prefix. Each takes the filter of query.ts.
import type Database from 'better-sqlite3';
import { LEVELS } from '../../model/alert.js';
import { alertFilter, decodeCursor, encodeCursor, GROUP_KEY, SORT_COLUMNS, type AlertGroupBy, type AlertQuery } from './query.js';
import { fromRow, type AlertRow } from './rows.js';
import type { AlertGroup, AlertListItem, AlertStats } from './types.js';

const LEVELS_BY_N: readonly string[] = LEVELS;

/** Bucket widths a volume chart may use; the smallest that keeps it under ~60 bars. */
const BUCKETS_S = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400];
const MAX_BARS = 60;

export function queryAlerts(db: Database.Database, q: AlertQuery = {}): { total: number; alerts: AlertListItem[]; next?: string } {
  const { where: w, args } = alertFilter(q);
  const total =
    (db
      .prepare(`SELECT count(*) FROM alerts ${w}`)
      .pluck()
      .get(...args) as number) ?? 0;
  const limit = Math.max(1, Math.min(q.limit ?? 100, 1000));
  const sort = q.sort ?? 'time';
  const cols = [...SORT_COLUMNS[sort], 'rowid'];
  const order = cols.map((c) => `${c} DESC`).join(', ');
  let page = w;
  const pageArgs = [...args];
  if (q.cursor) {
    // Keyset: the rows strictly after the last one shown, found by the sort's index, however deep.
    const after = `(${cols.join(', ')}) < (${cols.map(() => '?').join(', ')})`;
    page = w ? `${w} AND ${after}` : `WHERE ${after}`;
    pageArgs.push(...decodeCursor(q.cursor, sort));
  }
  const rows = db
    .prepare(
      `SELECT rowid, level_n, doc, status, note, count, held_back, ts, first_seen, last_seen, rev FROM alerts ${page} ORDER BY ${order} LIMIT ? OFFSET ?`,
    )
    .all(...pageArgs, limit + 1, q.cursor ? 0 : Math.max(0, q.offset ?? 0)) as AlertRow[];
  const more = rows.length > limit;
  if (more) rows.pop();
  const out: { total: number; alerts: AlertListItem[]; next?: string } = { total, alerts: rows.map(fromRow) };
  const last = rows[rows.length - 1];
  if (more && last) out.next = encodeCursor(cols.map((c) => (last as unknown as Record<string, unknown>)[c] as string | number));
  return out;
}

export function groupAlerts(db: Database.Database, by: AlertGroupBy, q: AlertQuery = {}, limit = 200): AlertGroup[] {
  const g = GROUP_KEY[by];
  if (!g) throw new Error(`cannot group by '${by}'`);
  const { where: w, args } = alertFilter(q);
  const rows = db
    .prepare(
      `SELECT ${g.key} AS key, max(${g.label}) AS label, count(*) AS alerts, sum(count + held_back) AS findings, sum(status = 'new') AS new,
        max(level_n) AS level_n, max(last_seen) AS last_seen
       FROM alerts ${w} GROUP BY key ORDER BY alerts DESC, last_seen DESC LIMIT ?`,
    )
    .all(...args, Math.max(1, Math.min(limit, 1000))) as (Omit<AlertGroup, 'level' | 'key' | 'label'> & { key: unknown; label: unknown; level_n: number })[];
  return rows.map(({ level_n, ...r }) => ({
    ...r,
    key: String(r.key),
    label: r.label === null || r.label === undefined ? '' : String(r.label as string | number) /* SQLite may hand back a number */,
    level: LEVELS_BY_N[level_n] ?? 'informational',
  }));
}

export function alertStats(db: Database.Database, q: AlertQuery = {}): AlertStats {
  const { where: w, args } = alertFilter(q);
  const span = db.prepare(`SELECT min(ts) AS lo, max(ts) AS hi FROM alerts ${w}`).get(...args) as { lo: string | null; hi: string | null };
  const lo = span.lo ? Date.parse(span.lo) : NaN;
  const hi = span.hi ? Date.parse(span.hi) : NaN;
  const rangeS = Number.isFinite(lo) && Number.isFinite(hi) ? (hi - lo) / 1000 : 0;
  const bucket = BUCKETS_S.find((b) => rangeS / b < MAX_BARS) ?? BUCKETS_S[BUCKETS_S.length - 1]!;
  const rows = db
    .prepare(
      `SELECT CAST(strftime('%s', ts) AS INTEGER) / CAST(? AS INTEGER) AS b, count(*) AS alerts, sum(level_n >= 3) AS high FROM alerts ${w} GROUP BY b ORDER BY b`,
    )
    .all(bucket, ...args) as { b: number | null; alerts: number; high: number }[];
  const byB = new Map(rows.filter((r) => r.b !== null).map((r) => [r.b!, r]));
  const buckets: AlertStats['buckets'] = [];
  // Empty buckets are drawn too: a gap in alerts is a fact a chart must not hide.
  if (Number.isFinite(lo) && Number.isFinite(hi))
    for (let b = Math.floor(lo / 1000 / bucket); b <= Math.floor(hi / 1000 / bucket); b++) {
      const r = byB.get(b);
      buckets.push({ start: new Date(b * bucket * 1000).toISOString(), alerts: r?.alerts ?? 0, high: r?.high ?? 0 });
    }
  return { bucket_s: bucket, buckets, rules: groupAlerts(db, 'rule', q, 10), hosts: groupAlerts(db, 'host', q, 10) };
}

export function techniqueCounts(db: Database.Database): Record<string, number> {
  const rows = db.prepare(`SELECT technique, count(*) AS n FROM alert_techniques GROUP BY technique`).all() as { technique: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.technique.toUpperCase(), r.n]));
}

export function idsByPrefix(db: Database.Database, prefix: string, limit = 10): string[] {
  if (!prefix) return [];
  // A range on the primary key: no scan, and no LIKE case folding on ids.
  return db.prepare(`SELECT id FROM alerts WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`).pluck().all(prefix, `${prefix}\uffff`, limit) as string[];
}
