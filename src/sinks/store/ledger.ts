// The store's own bookkeeping beside the alerts: the revision every write moves on (the page's
// live updates watch it), named counters other processes read, and health snapshots.
import type Database from 'better-sqlite3';
import { escapeLike } from './query.js';

export interface Ledger {
  /** Moves the revision on and returns it; call inside the writing transaction. */
  readonly nextRev: () => number;
  readonly revision: () => number;
  /** Adds to named counters; call inside a transaction (`addCounters` opens its own). */
  readonly addCountersTx: (delta: Record<string, number>) => void;
  readonly addCounters: (delta: Record<string, number>) => void;
  readonly counters: (prefix?: string) => Record<string, number>;
  readonly putHealth: (name: string, doc: unknown) => void;
  readonly health: () => Record<string, { updated: string; doc: unknown }>;
}

export function createLedger(db: Database.Database): Ledger {
  const nextRev = db.prepare(`UPDATE store_state SET v = v + 1 WHERE k = 'rev' RETURNING v`).pluck();
  const upsertCounter = db.prepare(`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value`);
  const readRev = db.prepare(`SELECT v FROM store_state WHERE k = 'rev'`).pluck();

  const addCountersTx = (delta: Record<string, number>): void => {
    for (const [k, v] of Object.entries(delta)) if (v) upsertCounter.run(k, v);
  };
  return {
    nextRev: () => nextRev.get() as number,
    revision: () => readRev.get() as number,
    addCountersTx,
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
  };
}
