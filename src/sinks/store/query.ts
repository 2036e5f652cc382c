// Reading the store: the filter every alert list applies (page, API, `stowaway alerts`), and
// the facet counts the page's filters show.
import type Database from 'better-sqlite3';
import { LEVELS, type AlertStatus, type Level } from '../../model/alert.js';

export interface AlertQuery {
  since?: string;
  until?: string;
  /** Exact levels, or `minLevel` for "this or worse". */
  level?: Level[];
  minLevel?: Level;
  rule?: string;
  strategy?: string;
  /** Matches sub-techniques too: T1562 finds T1562.001. */
  technique?: string;
  /** Container id prefix, exact name, or image substring. */
  container?: string;
  host?: string;
  /** Who: the user name on the alert (Kubernetes requester, process user), exact. */
  user?: string;
  /** Pod name, or `namespace/name`, substring. */
  pod?: string;
  /** Container image or any pod image, substring. */
  image?: string;
  status?: AlertStatus[];
  text?: string;
  limit?: number;
  /** Kept for the terminal; pages walk with `cursor`, which does not rescan what it skips. */
  offset?: number;
  sort?: AlertSort;
  /** `next` of the previous page. */
  cursor?: string;
}

/** List orders, each newest first within ties, and each backed by an index. */
export type AlertSort = 'time' | 'level' | 'count';
export const ALERT_SORTS: readonly AlertSort[] = ['time', 'level', 'count'];
/** The columns each sort walks, in order; rowid breaks the last tie so a cursor is exact. */
export const SORT_COLUMNS: Record<AlertSort, readonly string[]> = { time: ['ts'], level: ['level_n', 'ts'], count: ['count', 'ts'] };

/** A keyset cursor: the sort values and rowid of the last row shown, opaque to callers. */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The values of a cursor for this sort, or an error saying what is wrong with it. */
export function decodeCursor(cursor: string, sort: AlertSort): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new Error('bad cursor: not one this server gave');
  }
  const n = SORT_COLUMNS[sort].length + 1;
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'string' || typeof x === 'number'))
    throw new Error(`bad cursor: not one of sort '${sort}'`);
  return v;
}

/** What alerts can be grouped by, and the column (or expression) each reads. */
export type AlertGroupBy = 'rule' | 'host' | 'image' | 'user' | 'pod' | 'strategy';
export const ALERT_GROUPS: readonly AlertGroupBy[] = ['rule', 'host', 'image', 'user', 'pod', 'strategy'];
export const GROUP_KEY: Record<AlertGroupBy, { key: string; label: string }> = {
  rule: { key: 'rule_id', label: 'rule_title' },
  host: { key: "coalesce(host, '')", label: "coalesce(host, '')" },
  image: { key: "coalesce(image, pod_images, '')", label: "coalesce(image, pod_images, '')" },
  user: { key: "coalesce(user_name, '')", label: "coalesce(user_name, '')" },
  pod: { key: "coalesce(pod_namespace || '/' || pod_name, pod_name, '')", label: "coalesce(pod_namespace || '/' || pod_name, pod_name, '')" },
  strategy: { key: "coalesce(strategy_id, '')", label: "coalesce(strategy_id || ' ' || strategy_title, '')" },
};

/** Levels as numbers, so `minLevel` is one comparison. */
export const LEVEL_N = new Map(LEVELS.map((l, i) => [l, i] as const));

/** `%`, `_` and the escape itself taken literally in a LIKE pattern (with ESCAPE '\\'). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE clause (empty when nothing filters) and its parameters for a query. */
export function alertFilter(q: AlertQuery): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.since) {
    where.push('last_seen >= ?');
    args.push(q.since);
  }
  if (q.until) {
    where.push('ts <= ?');
    args.push(q.until);
  }
  if (q.level?.length) {
    where.push(`level IN (${q.level.map(() => '?').join(',')})`);
    args.push(...q.level);
  }
  if (q.minLevel) {
    where.push('level_n >= ?');
    args.push(LEVEL_N.get(q.minLevel) ?? 0);
  }
  if (q.rule) {
    where.push('(rule_id = ? OR rule_title = ?)');
    args.push(q.rule, q.rule);
  }
  if (q.strategy) {
    where.push('strategy_id = ?');
    args.push(q.strategy);
  }
  if (q.technique) {
    const t = q.technique.toUpperCase();
    // '|T1562|' finds the technique itself, '|T1562.' its sub-techniques.
    where.push(`(instr(techniques, ?) > 0 OR instr(techniques, ?) > 0)`);
    args.push(`|${t}|`, `|${t}.`);
  }
  if (q.container) {
    where.push(`(container_id LIKE ? ESCAPE '\\' OR container_name = ? OR image LIKE ? ESCAPE '\\')`);
    args.push(`${escapeLike(q.container)}%`, q.container, `%${escapeLike(q.container)}%`);
  }
  if (q.host) {
    where.push('host = ?');
    args.push(q.host);
  }
  if (q.user) {
    where.push('user_name = ?');
    args.push(q.user);
  }
  if (q.pod) {
    where.push(`(pod_name LIKE ? ESCAPE '\\' OR (pod_namespace || '/' || pod_name) LIKE ? ESCAPE '\\')`);
    args.push(`%${escapeLike(q.pod)}%`, `%${escapeLike(q.pod)}%`);
  }
  if (q.image) {
    where.push(`(image LIKE ? ESCAPE '\\' OR pod_images LIKE ? ESCAPE '\\')`);
    args.push(`%${escapeLike(q.image)}%`, `%${escapeLike(q.image)}%`);
  }
  if (q.status?.length) {
    where.push(q.status.length === 1 ? 'status = ?' : `status IN (${q.status.map(() => '?').join(',')})`);
    args.push(...q.status);
  }
  if (q.text) {
    const like = `%${escapeLike(q.text)}%`;
    where.push(
      `(summary LIKE ? ESCAPE '\\' OR rule_title LIKE ? ESCAPE '\\' OR rule_id = ? OR note LIKE ? ESCAPE '\\' OR host = ? OR user_name = ? OR image LIKE ? ESCAPE '\\' OR pod_images LIKE ? ESCAPE '\\' OR pod_name LIKE ? ESCAPE '\\')`,
    );
    args.push(like, like, q.text, like, q.text, q.text, like, like, like);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

export function facets(db: Database.Database): {
  rules: { id: string; title: string; n: number }[];
  strategies: { id: string; title: string; n: number }[];
  statuses: Record<string, number>;
  levels: Record<string, number>;
  total: number;
} {
  const rules = db.prepare(`SELECT rule_id AS id, rule_title AS title, count(*) AS n FROM alerts GROUP BY rule_id ORDER BY n DESC`).all() as {
    id: string;
    title: string;
    n: number;
  }[];
  const strategies = db
    .prepare(`SELECT strategy_id AS id, strategy_title AS title, count(*) AS n FROM alerts WHERE strategy_id IS NOT NULL GROUP BY strategy_id ORDER BY n DESC`)
    .all() as { id: string; title: string; n: number }[];
  const statuses = Object.fromEntries(
    (db.prepare(`SELECT status, count(*) AS n FROM alerts GROUP BY status`).all() as { status: string; n: number }[]).map((r) => [r.status, r.n]),
  );
  const levels = Object.fromEntries(
    (db.prepare(`SELECT level, count(*) AS n FROM alerts GROUP BY level`).all() as { level: string; n: number }[]).map((r) => [r.level, r.n]),
  );
  const total = db.prepare(`SELECT count(*) FROM alerts`).pluck().get() as number;
  return { rules, strategies, statuses, levels, total };
}
