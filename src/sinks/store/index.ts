// The embedded alert store: one SQLite file under the data dir, written by the alert
// pipeline, read by the page, the API and `stowaway alerts`.
//
// Durability: WAL journal with synchronous=FULL. Every commit fsyncs the WAL, so an
// alert the writer has been told is stored survives `kill -9` and power loss alike;
// the pipeline batches findings into one transaction, which keeps the fsync cost per
// batch rather than per finding.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LEVELS, type Alert, type AlertStatus } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import type { ResponseRecord } from '../../model/response.js';
import { MIGRATIONS } from './schema.js';
import { alertFilter, decodeCursor, encodeCursor, escapeLike, facets, GROUP_KEY, LEVEL_N, SORT_COLUMNS, type AlertGroupBy, type AlertQuery } from './query.js';
import { fileBytes, retain, type RetentionPolicy } from './retention.js';

export type { AlertQuery, AlertSort, AlertGroupBy } from './query.js';
export { ALERT_SORTS, ALERT_GROUPS } from './query.js';
export type { RetentionPolicy } from './retention.js';

export const STORE_FILE = 'stowaway.sqlite';
const LEVELS_BY_N: readonly string[] = LEVELS;
export const DEFAULT_DATA_DIR = './data';
export const STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'false_positive', 'resolved'];

/** An alert as lists show it: everything but the triggering events. */
export type AlertListItem = Omit<Alert, 'events'> & { rev: number };

export interface AlertHistoryEntry {
  time: string;
  status: AlertStatus;
  note?: string;
  actor?: string;
}

export interface StoredAlert extends Alert {
  rev: number;
  history: AlertHistoryEntry[];
  /** Containment actions taken (or refused, or dry-run) on this alert, oldest first. */
  response: ResponseRecord[];
}

export interface WriteResult {
  /** Alerts left out of the batch because they could not be written. */
  failed: number;
  /** Events stored truncated (unserializable or too large). */
  truncated: number;
  /** One line each, naming the alert. */
  problems: string[];
}

/** Alerts sharing one value of a grouping key, with what a triage list needs to rank them. */
export interface AlertGroup {
  key: string;
  label: string;
  /** Alerts, findings they stand for (count + held back), and how many are still new. */
  alerts: number;
  findings: number;
  new: number;
  level: string;
  last_seen: string;
}

/** Alert volume over time (fixed buckets) and the heaviest rules and hosts, for the page's charts. */
export interface AlertStats {
  bucket_s: number;
  buckets: { start: string; alerts: number; high: number }[];
  rules: AlertGroup[];
  hosts: AlertGroup[];
}

/** Bucket widths a volume chart may use; the smallest that keeps it under ~60 bars. */
const BUCKETS_S = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400];
const MAX_BARS = 60;

export interface Store {
  readonly path: string;
  /** The open handle; other components (analytics) keep their own tables in the same file. */
  readonly db: Database.Database;
  /**
   * Inserts new alerts and updates merged ones in one transaction. An alert that cannot be
   * written is left out (the others commit) and named in `problems`, as is an event stored truncated.
   */
  writeAlerts(batch: { insert?: Alert[]; update?: Alert[]; counters?: Record<string, number> }): WriteResult;
  getAlert(id: string): StoredAlert | undefined;
  /** Current analyst status, or undefined when the alert is gone (retention, demo replacement). */
  statusOf(id: string): AlertStatus | undefined;
  /** A page of alerts; `next` (when more follow) is the cursor of the page after it. */
  queryAlerts(q?: AlertQuery): { total: number; alerts: AlertListItem[]; next?: string };
  /** Alerts under a filter grouped by rule, host, image, user, pod or strategy, largest first. */
  groupAlerts(by: AlertGroupBy, q?: AlertQuery, limit?: number): AlertGroup[];
  /** Volume over time and per rule and host under a filter. */
  alertStats(q?: AlertQuery): AlertStats;
  /** Alerts per ATT&CK technique (as stored on alerts; sub-techniques on their own). */
  techniqueCounts(): Record<string, number>;
  /** Ids starting with the prefix, at most `limit` (so a caller can tell one from several). */
  idsByPrefix(prefix: string, limit?: number): string[];
  /** One status for many alerts in one transaction; returns the ids it changed. */
  setStatusMany(ids: readonly string[], status: AlertStatus, note?: string, actor?: string): string[];
  setStatus(id: string, status: AlertStatus, note?: string, actor?: string): StoredAlert | undefined;
  /** Increments named counters (held back, excepted, merged ...) so other processes can read them. */
  addCounters(delta: Record<string, number>): void;
  counters(prefix?: string): Record<string, number>;
  /** Grows on every write; the page's live updates watch it. */
  revision(): number;
  facets(): {
    rules: { id: string; title: string; n: number }[];
    strategies: { id: string; title: string; n: number }[];
    statuses: Record<string, number>;
    levels: Record<string, number>;
    total: number;
  };
  /** The noisiest rules and rule × image pairs: alerts, findings (alert counts summed), and how many analysts marked false positive. */
  applyRetention(p: RetentionPolicy): { deleted: number; bytes: number };
  /** Removes alerts whose id starts with the prefix (what `demo` uses to replace its own earlier run). */
  deleteByIdPrefix(prefix: string): number;
  /** Appends a row to the containment audit trail (and moves the revision, so the page updates). */
  recordResponse(r: ResponseRecord): void;
  /** The audit trail of one alert, oldest first. */
  responses(alertId: string): ResponseRecord[];
  /** Latest health snapshot of a running component (the pipeline writes `pipeline`). */
  putHealth(name: string, doc: unknown): void;
  health(): Record<string, { updated: string; doc: unknown }>;
  integrityCheck(): string;
  sizeBytes(): number;
  close(): void;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`store schema version ${version} is newer than this stowaway understands (${MIGRATIONS.length}); upgrade stowaway`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function ownerOnly(file: string): void {
  try {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch {
    /* not there (yet): SQLite creates it with the database file's mode */
  }
}

/** Opens (creating if needed) `<dir>/stowaway.sqlite`. A `.sqlite` path is used as the file itself. */
export function openStore(dir: string = DEFAULT_DATA_DIR, opts: { readonly?: boolean } = {}): Store {
  const path = dir.endsWith('.sqlite') || dir === ':memory:' ? dir : join(resolve(dir), STORE_FILE);
  // Alerts name hosts, users and command lines: a new data dir is readable by its owner only.
  if (path !== ':memory:' && !opts.readonly) mkdirSync(resolve(path, '..'), { recursive: true, mode: 0o700 });
  // The file is created owner-only before SQLite opens it (its -wal and -shm copy the mode),
  // also inside a data directory that already existed with looser permissions.
  if (path !== ':memory:' && !opts.readonly) {
    closeSync(openSync(path, 'a', 0o600));
    ownerOnly(path);
  }
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (path !== ':memory:' && !opts.readonly) for (const suffix of ['-wal', '-shm']) ownerOnly(path + suffix);
  if (!opts.readonly) {
    const fresh = (db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number }).n === 0;
    // Only a fresh file can switch vacuum mode; it lets retention hand pages back to the filesystem.
    if (fresh) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!opts.readonly) migrate(db);
  return createStore(db, path);
}

/** Largest event document stored with an alert; the rest is cut, saying so. */
export const MAX_EVENT_JSON = 1024 * 1024;

/**
 * An event as stored JSON. One that cannot be serialized (a BigInt, a cycle) or is too large
 * is stored as what can be said of it, marked truncated, instead of failing its alert.
 */
export function eventJson(e: StowawayEvent): { text: string; truncated?: string } {
  let text: string | undefined;
  let why: string | undefined;
  try {
    text = JSON.stringify(e);
  } catch (err) {
    why = `not serializable: ${(err as Error).message}`;
  }
  if (text !== undefined && text.length <= MAX_EVENT_JSON) return { text };
  why ??= `${text!.length} bytes, over ${MAX_EVENT_JSON}`;
  const keep: Record<string, unknown> = { '@timestamp': typeof e['@timestamp'] === 'string' ? e['@timestamp'] : undefined, stowaway_truncated: why };
  for (const k of ['event', 'stowaway', 'host', 'container', 'orchestrator', 'process', 'user'] as const) {
    try {
      const part = JSON.stringify(e[k]);
      if (part !== undefined && part.length < MAX_EVENT_JSON / 8) keep[k] = JSON.parse(part) as unknown;
    } catch {
      /* that part is what could not be serialized */
    }
  }
  return { text: JSON.stringify(keep), truncated: why };
}

function alertRowParams(a: Alert, rev: number): Record<string, unknown> {
  const { events: _events, ...doc } = a;
  return {
    id: a.id,
    ts: a['@timestamp'],
    created: a.created,
    first_seen: a.first_seen,
    last_seen: a.last_seen,
    rule_id: a.rule.id,
    rule_title: a.rule.title,
    rule_kind: a.rule.kind,
    level: a.level,
    level_n: LEVEL_N.get(a.level) ?? 0,
    strategy_id: a.strategy?.id ?? null,
    strategy_title: a.strategy?.title ?? null,
    host: a.entity.host ?? null,
    container_id: a.entity.container?.id ?? null,
    container_name: a.entity.container?.name ?? null,
    image: a.entity.container?.image ?? null,
    pod_namespace: a.entity.pod?.namespace ?? null,
    pod_name: a.entity.pod?.name ?? null,
    user_name: a.entity.user ?? null,
    pod_images: a.entity.pod?.images?.length ? a.entity.pod.images.join(' ') : null,
    summary: a.summary,
    status: a.status,
    note: a.note ?? null,
    count: a.count,
    held_back: a.held_back ?? 0,
    doc: JSON.stringify(doc),
    rev,
    techniques: a.attack.length ? `|${a.attack.map((t) => t.technique.toUpperCase()).join('|')}|` : '',
  };
}

interface AlertRow {
  rowid?: number;
  level_n?: number;
  doc: string;
  status: AlertStatus;
  note: string | null;
  count: number;
  held_back: number;
  ts: string;
  first_seen: string;
  last_seen: string;
  rev: number;
}

function fromRow(r: AlertRow): AlertListItem {
  const doc = JSON.parse(r.doc) as Omit<Alert, 'events'>;
  const out: AlertListItem = {
    ...doc,
    status: r.status,
    count: r.count,
    held_back: r.held_back,
    first_seen: r.first_seen,
    last_seen: r.last_seen,
    '@timestamp': r.ts,
    rev: r.rev,
  };
  if (r.note !== null) out.note = r.note;
  else delete out.note;
  return out;
}

function createStore(db: Database.Database, path: string): Store {
  const nextRev = db.prepare(`UPDATE store_state SET v = v + 1 WHERE k = 'rev' RETURNING v`).pluck();
  const insertAlert = db.prepare(`INSERT INTO alerts (id, ts, created, first_seen, last_seen, rule_id, rule_title, rule_kind, level, level_n,
      strategy_id, strategy_title, host, container_id, container_name, image, pod_namespace, pod_name, user_name, pod_images, summary, status, note, count, held_back, doc, rev, techniques)
    VALUES (@id, @ts, @created, @first_seen, @last_seen, @rule_id, @rule_title, @rule_kind, @level, @level_n,
      @strategy_id, @strategy_title, @host, @container_id, @container_name, @image, @pod_namespace, @pod_name, @user_name, @pod_images, @summary, @status, @note, @count, @held_back, @doc, @rev, @techniques)`);
  // Merges touch only what dedup and throttling change, so a concurrent status edit is never overwritten.
  const updateAlert = db.prepare(
    `UPDATE alerts SET ts = @ts, first_seen = @first_seen, last_seen = @last_seen, count = @count, held_back = @held_back, rev = @rev WHERE id = @id`,
  );
  const insertTechnique = db.prepare(`INSERT OR IGNORE INTO alert_techniques (alert_id, technique) VALUES (?, ?)`);
  const insertEvent = db.prepare(`INSERT OR REPLACE INTO alert_events (alert_id, seq, ts, event) VALUES (?, ?, ?, ?)`);
  const selectAlert = db.prepare(`SELECT doc, status, note, count, held_back, ts, first_seen, last_seen, rev FROM alerts WHERE id = ?`);
  const selectEvents = db.prepare(`SELECT event FROM alert_events WHERE alert_id = ? ORDER BY seq`).pluck();
  const selectHistory = db.prepare(`SELECT time, status, note, actor FROM alert_history WHERE alert_id = ? ORDER BY rowid`);
  const updateStatus = db.prepare(`UPDATE alerts SET status = ?, note = ?, rev = ? WHERE id = ?`);
  const insertHistory = db.prepare(`INSERT INTO alert_history (alert_id, time, status, note, actor) VALUES (?, ?, ?, ?, ?)`);
  const upsertCounter = db.prepare(`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value`);
  const selectStatus = db.prepare(`SELECT status FROM alerts WHERE id = ?`).pluck();
  const readRev = db.prepare(`SELECT v FROM store_state WHERE k = 'rev'`).pluck();

  const addCountersTx = (delta: Record<string, number>): void => {
    for (const [k, v] of Object.entries(delta)) if (v) upsertCounter.run(k, v);
  };

  // Each alert in its own savepoint: one that cannot be written costs that alert, not the batch.
  const insertOne = db.transaction((a: Alert, rev: number) => {
    insertAlert.run(alertRowParams(a, rev));
    for (const t of a.attack) insertTechnique.run(a.id, t.technique);
    a.events.forEach((e, i) => {
      const doc = eventJson(e);
      if (doc.truncated) problems.push(`alert ${a.id}: event ${i} stored truncated (${doc.truncated})`);
      insertEvent.run(a.id, i, typeof e['@timestamp'] === 'string' ? e['@timestamp'] : null, doc.text);
    });
  });
  let problems: string[] = [];
  const addCountersNow = (delta: Record<string, number>): void => db.transaction(addCountersTx)(delta);
  const writeAlerts = db.transaction((batch: { insert?: Alert[]; update?: Alert[]; counters?: Record<string, number> }) => {
    const rev = nextRev.get() as number;
    for (const a of batch.insert ?? []) {
      try {
        insertOne(a, rev);
      } catch (e) {
        problems.push(`alert ${a.id} (${a.rule.id}) not stored: ${(e as Error).message}`);
      }
    }
    for (const a of batch.update ?? []) {
      updateAlert.run({ id: a.id, ts: a['@timestamp'], first_seen: a.first_seen, last_seen: a.last_seen, count: a.count, held_back: a.held_back ?? 0, rev });
    }
    if (batch.counters) addCountersTx(batch.counters);
  });

  const setStatusTx = db.transaction((id: string, status: AlertStatus, note: string | undefined, actor: string | undefined) => {
    const rev = nextRev.get() as number;
    const r = updateStatus.run(status, note ?? null, rev, id);
    if (r.changes === 0) return false;
    insertHistory.run(id, new Date().toISOString(), status, note ?? null, actor ?? null);
    return true;
  });

  function getAlert(id: string): StoredAlert | undefined {
    const row = selectAlert.get(id) as AlertRow | undefined;
    if (!row) return undefined;
    const base = fromRow(row);
    const events = (selectEvents.all(id) as string[]).map((s) => JSON.parse(s) as StowawayEvent);
    const history = (selectHistory.all(id) as { time: string; status: AlertStatus; note: string | null; actor: string | null }[]).map((h) => {
      const e: AlertHistoryEntry = { time: h.time, status: h.status };
      if (h.note !== null) e.note = h.note;
      if (h.actor !== null) e.actor = h.actor;
      return e;
    });
    return { ...base, events, history, response: responses(id) };
  }

  // Rows outlive their alert on purpose (no foreign key): retention must not erase what was done to a container.
  const insertResponse = (): Database.Statement =>
    db.prepare(`INSERT INTO response_actions (id, alert_id, started, actor, action, target, dry_run, result, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  function responses(alertId: string): ResponseRecord[] {
    try {
      return (db.prepare(`SELECT doc FROM response_actions WHERE alert_id = ? ORDER BY started, rowid`).pluck().all(alertId) as string[]).map(
        (d) => JSON.parse(d) as ResponseRecord,
      );
    } catch {
      return []; // a read-only handle on a file from before the trail existed
    }
  }

  function queryAlerts(q: AlertQuery = {}): { total: number; alerts: AlertListItem[]; next?: string } {
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

  function groupAlerts(by: AlertGroupBy, q: AlertQuery = {}, limit = 200): AlertGroup[] {
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

  function alertStats(q: AlertQuery = {}): AlertStats {
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
    return { bucket_s: bucket, buckets, rules: groupAlerts('rule', q, 10), hosts: groupAlerts('host', q, 10) };
  }

  function techniqueCounts(): Record<string, number> {
    const rows = db.prepare(`SELECT technique, count(*) AS n FROM alert_techniques GROUP BY technique`).all() as { technique: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.technique.toUpperCase(), r.n]));
  }

  function idsByPrefix(prefix: string, limit = 10): string[] {
    if (!prefix) return [];
    // A range on the primary key: no scan, and no LIKE case folding on ids.
    return db.prepare(`SELECT id FROM alerts WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`).pluck().all(prefix, `${prefix}\uffff`, limit) as string[];
  }

  const setStatusManyTx = db.transaction((ids: readonly string[], status: AlertStatus, note: string | undefined, actor: string | undefined) => {
    const rev = nextRev.get() as number;
    const time = new Date().toISOString();
    const changed: string[] = [];
    for (const id of ids) {
      if (updateStatus.run(status, note ?? null, rev, id).changes === 0) continue;
      insertHistory.run(id, time, status, note ?? null, actor ?? null);
      changed.push(id);
    }
    return changed;
  });

  const sizeBytes = (): number => fileBytes(db, path);
  const applyRetention = (p: RetentionPolicy): { deleted: number; bytes: number } => retain(db, path, p, (n) => addCountersTx({ 'retention.deleted': n }));

  return {
    path,
    db,
    writeAlerts(batch) {
      problems = [];
      writeAlerts(batch);
      const out: WriteResult = { failed: 0, truncated: 0, problems };
      for (const m of problems) m.includes(' not stored: ') ? out.failed++ : out.truncated++;
      problems = [];
      if (out.truncated || out.failed) addCountersNow({ 'store.truncated_events': out.truncated, 'store.failed_alerts': out.failed });
      return out;
    },
    getAlert,
    statusOf(id) {
      return selectStatus.get(id) as AlertStatus | undefined;
    },
    queryAlerts,
    groupAlerts,
    alertStats,
    techniqueCounts,
    idsByPrefix,
    setStatusMany(ids, status, note, actor) {
      if (!STATUSES.includes(status)) throw new Error(`unknown status '${status}' (one of ${STATUSES.join(', ')})`);
      return setStatusManyTx(ids, status, note, actor);
    },
    setStatus(id, status, note, actor) {
      if (!STATUSES.includes(status)) throw new Error(`unknown status '${status}' (one of ${STATUSES.join(', ')})`);
      return setStatusTx(id, status, note, actor) ? getAlert(id) : undefined;
    },
    addCounters(delta) {
      db.transaction(addCountersTx)(delta);
    },
    counters(prefix = '') {
      const rows = db.prepare(`SELECT name, value FROM counters WHERE name LIKE ? ESCAPE '\\' ORDER BY name`).all(`${escapeLike(prefix)}%`) as {
        name: string;
        value: number;
      }[];
      return Object.fromEntries(rows.map((r) => [r.name, r.value]));
    },
    revision() {
      return readRev.get() as number;
    },
    facets: () => facets(db),
    applyRetention,
    deleteByIdPrefix(prefix) {
      if (!prefix) throw new Error('refusing to delete every alert: empty prefix');
      const n = db.prepare(`DELETE FROM alerts WHERE id LIKE ? ESCAPE '\\'`).run(`${escapeLike(prefix)}%`).changes;
      if (n) db.prepare(`UPDATE store_state SET v = v + 1 WHERE k = 'rev'`).run();
      return n;
    },
    recordResponse(r) {
      db.transaction(() => {
        insertResponse().run(r.id, r.alert_id, r.started, r.actor, r.action, r.target, r.dry_run ? 1 : 0, r.result, JSON.stringify(r));
        nextRev.get();
      })();
    },
    responses,
    putHealth(name, doc) {
      db.prepare(`INSERT INTO health (name, doc, updated) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc, updated = excluded.updated`).run(
        name,
        JSON.stringify(doc),
        new Date().toISOString(),
      );
    },
    health() {
      const rows = db.prepare(`SELECT name, doc, updated FROM health`).all() as { name: string; doc: string; updated: string }[];
      return Object.fromEntries(rows.map((r) => [r.name, { updated: r.updated, doc: JSON.parse(r.doc) as unknown }]));
    },
    integrityCheck() {
      return db.pragma('integrity_check', { simple: true }) as string;
    },
    sizeBytes,
    close() {
      db.close();
    },
  };
}
