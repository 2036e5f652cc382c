// The embedded alert store: one SQLite file under the data dir, written by the alert
// pipeline, read by the page, the API and `stowaway alerts`.
//
// Durability: WAL journal with synchronous=FULL. Every commit fsyncs the WAL, so an
// alert the writer has been told is stored survives `kill -9` and power loss alike;
// the pipeline batches findings into one transaction, which keeps the fsync cost per
// batch rather than per finding.
//
// One file per concern: types.ts (the public shape), rows.ts (alert ⇄ row), writes.ts (alert
// batches), triage.ts (status, history, responses), reads.ts (lists and charts), ledger.ts
// (revision, counters, health), schema.ts, query.ts, retention.ts. This file opens the database
// and puts them together.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIGRATIONS } from './schema.js';
import { escapeLike, facets } from './query.js';
import { fileBytes, retain } from './retention.js';
import { createLedger } from './ledger.js';
import { createAlertWriter } from './writes.js';
import { createTriage } from './triage.js';
import { alertStats, groupAlerts, idsByPrefix, queryAlerts, techniqueCounts } from './reads.js';
import type { Store } from './types.js';

export type { AlertQuery, AlertSort, AlertGroupBy } from './query.js';
export { ALERT_SORTS, ALERT_GROUPS } from './query.js';
export type { RetentionPolicy } from './retention.js';
export type { AlertListItem, AlertHistoryEntry, StoredAlert, WriteResult, AlertGroup, AlertStats, Store } from './types.js';
export { STATUSES } from './triage.js';
export { MAX_EVENT_JSON, eventJson } from './rows.js';

export const STORE_FILE = 'stowaway.sqlite';
export const DEFAULT_DATA_DIR = './data';

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

function createStore(db: Database.Database, path: string): Store {
  const ledger = createLedger(db);
  const writeAlerts = createAlertWriter(db, ledger);
  const triage = createTriage(db, ledger);
  return {
    path,
    db,
    writeAlerts,
    ...triage,
    queryAlerts: (q) => queryAlerts(db, q),
    groupAlerts: (by, q, limit) => groupAlerts(db, by, q, limit),
    alertStats: (q) => alertStats(db, q),
    techniqueCounts: () => techniqueCounts(db),
    idsByPrefix: (prefix, limit) => idsByPrefix(db, prefix, limit),
    addCounters: ledger.addCounters,
    counters: ledger.counters,
    revision: ledger.revision,
    facets: () => facets(db),
    applyRetention: (p) => retain(db, path, p, (n) => ledger.addCountersTx({ 'retention.deleted': n })),
    deleteByIdPrefix(prefix) {
      if (!prefix) throw new Error('refusing to delete every alert: empty prefix');
      const n = db.prepare(`DELETE FROM alerts WHERE id LIKE ? ESCAPE '\\'`).run(`${escapeLike(prefix)}%`).changes;
      if (n) db.prepare(`UPDATE store_state SET v = v + 1 WHERE k = 'rev'`).run();
      return n;
    },
    putHealth: ledger.putHealth,
    health: ledger.health,
    integrityCheck() {
      return db.pragma('integrity_check', { simple: true }) as string;
    },
    sizeBytes: () => fileBytes(db, path),
    close() {
      db.close();
    },
  };
}
