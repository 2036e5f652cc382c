// Where analytics keep what they learned: their own tables in the embedded SQLite store, so a
// restart resumes baselines, known terms and live containers instead of learning from scratch.
import type Database from 'better-sqlite3';

export interface StoredRow {
  key: string;
  value: unknown;
  tick: number;
}

export interface AnalyticState {
  /** What the state was learned under; a different one means the state is discarded. */
  fingerprint?: string;
  meta?: unknown;
  rows: StoredRow[];
}

export interface AnalyticsStore {
  load(analytic: string): AnalyticState;
  save(analytic: string, fingerprint: string, meta: unknown, upserts: StoredRow[], deletes: string[], updated: string): void;
  /** Drops everything an analytic stored. */
  clear(analytic: string): void;
  /** Summary per analytic for `baselines show`. */
  list(): Array<{ analytic: string; fingerprint: string; meta: unknown; updated: string; entities: number }>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS analytics_meta (
  analytic TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  meta TEXT NOT NULL,
  updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS analytics_state (
  analytic TEXT NOT NULL,
  key TEXT NOT NULL,
  tick INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (analytic, key)
) WITHOUT ROWID;
`;

/** Analytics state on an open better-sqlite3 handle (the alert store's, or a file of its own). */
export function analyticsStore(db: Database.Database): AnalyticsStore {
  if (!db.readonly) db.exec(SCHEMA);
  const hasTables = (): boolean =>
    (db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('analytics_meta','analytics_state')`).get() as { n: number }).n === 2;
  if (!hasTables()) return emptyStore();
  const getMeta = db.prepare(`SELECT fingerprint, meta FROM analytics_meta WHERE analytic = ?`);
  const getRows = db.prepare(`SELECT key, tick, value FROM analytics_state WHERE analytic = ?`);
  const listMeta = db.prepare(
    `SELECT m.analytic, m.fingerprint, m.meta, m.updated, (SELECT count(*) FROM analytics_state s WHERE s.analytic = m.analytic) AS entities FROM analytics_meta m ORDER BY m.analytic`,
  );
  if (db.readonly) {
    return {
      load: (a) => loadWith(getMeta, getRows, a),
      save: () => {
        throw new Error('analytics store is read-only');
      },
      // Reading never changes the file: a stale state is just not shown.
      clear: () => {},
      list: () => listWith(listMeta),
    };
  }
  const putMeta = db.prepare(
    `INSERT INTO analytics_meta (analytic, fingerprint, meta, updated) VALUES (?, ?, ?, ?)
     ON CONFLICT(analytic) DO UPDATE SET fingerprint = excluded.fingerprint, meta = excluded.meta, updated = excluded.updated`,
  );
  const putRow = db.prepare(
    `INSERT INTO analytics_state (analytic, key, tick, value) VALUES (?, ?, ?, ?)
     ON CONFLICT(analytic, key) DO UPDATE SET tick = excluded.tick, value = excluded.value`,
  );
  const delRow = db.prepare(`DELETE FROM analytics_state WHERE analytic = ? AND key = ?`);
  const delAll = db.prepare(`DELETE FROM analytics_state WHERE analytic = ?`);
  const delMeta = db.prepare(`DELETE FROM analytics_meta WHERE analytic = ?`);
  const save = db.transaction((a: string, fp: string, meta: unknown, ups: StoredRow[], dels: string[], updated: string) => {
    putMeta.run(a, fp, JSON.stringify(meta ?? null), updated);
    for (const k of dels) delRow.run(a, k);
    for (const r of ups) putRow.run(a, r.key, r.tick, JSON.stringify(r.value, replacer));
  });
  const clear = db.transaction((a: string) => {
    delAll.run(a);
    delMeta.run(a);
  });
  return {
    load: (a) => loadWith(getMeta, getRows, a),
    save: (a, fp, meta, ups, dels, updated) => save(a, fp, meta, ups, dels, updated),
    clear: (a) => clear(a),
    list: () => listWith(listMeta),
  };
}

/** Sets are stored as arrays; detectors rebuild them on restore. */
function replacer(_k: string, v: unknown): unknown {
  return v instanceof Set ? [...v] : v instanceof Map ? [...v.entries()] : v;
}

function loadWith(getMeta: Database.Statement, getRows: Database.Statement, a: string): AnalyticState {
  const m = getMeta.get(a) as { fingerprint: string; meta: string } | undefined;
  if (!m) return { rows: [] };
  const rows = (getRows.all(a) as Array<{ key: string; tick: number; value: string }>).map((r) => ({
    key: r.key,
    tick: r.tick,
    value: JSON.parse(r.value) as unknown,
  }));
  return { fingerprint: m.fingerprint, meta: JSON.parse(m.meta) as unknown, rows };
}

function listWith(stmt: Database.Statement) {
  return (stmt.all() as Array<{ analytic: string; fingerprint: string; meta: string; updated: string; entities: number }>).map((r) => ({
    ...r,
    meta: JSON.parse(r.meta) as unknown,
  }));
}

function emptyStore(): AnalyticsStore {
  return {
    load: () => ({ rows: [] }),
    save: () => {
      throw new Error('analytics store is read-only');
    },
    clear: () => {},
    list: () => [],
  };
}
