// Keeping the store within its age and size: oldest alerts go first, and the pages they
// held go back to the file system.
import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';

export interface RetentionPolicy {
  maxAgeDays?: number;
  maxBytes?: number;
  /** Reference time for the age cut; tests pin it. */
  now?: Date;
}

/** The store's size on disk: the file and its write-ahead log. */
export function fileBytes(db: Database.Database, path: string): number {
  if (path === ':memory:') return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  let n = 0;
  for (const suffix of ['', '-wal']) {
    try {
      n += statSync(path + suffix).size;
    } catch {
      /* the WAL may not exist yet */
    }
  }
  return n;
}

function usedBytes(db: Database.Database): number {
  const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
  return pages * (db.pragma('page_size', { simple: true }) as number);
}

/** Deletes alerts past the age, then the oldest until the store fits; `deletedCounter` records how many. */
export function retain(db: Database.Database, path: string, p: RetentionPolicy, deletedCounter: (n: number) => void): { deleted: number; bytes: number } {
  let deleted = 0;
  if (p.maxAgeDays !== undefined) {
    const cut = new Date((p.now ?? new Date()).getTime() - p.maxAgeDays * 86_400_000).toISOString();
    // An alert dated in the future (a sender's clock, or a forged time) ages by when it was
    // stored instead, so it cannot sit on top of the page for ever.
    const ahead = new Date((p.now ?? new Date()).getTime() + 86_400_000).toISOString();
    deleted += db.prepare(`DELETE FROM alerts WHERE last_seen < ? OR (last_seen > ? AND created < ?)`).run(cut, ahead, cut).changes;
  }
  if (p.maxBytes !== undefined) {
    const delOldest = db.prepare(`DELETE FROM alerts WHERE id IN (SELECT id FROM alerts ORDER BY last_seen ASC LIMIT ?)`);
    const countAll = db.prepare(`SELECT count(*) FROM alerts`).pluck();
    // Oldest first: delete the share of rows the excess represents, then look again —
    // partly filled pages free less than their share, so a few rounds converge without overshoot.
    for (let round = 0; round < 50; round++) {
      const used = usedBytes(db);
      if (used <= p.maxBytes) break;
      const rows = countAll.get() as number;
      if (rows === 0) break;
      const n = delOldest.run(Math.max(1, Math.ceil((rows * (used - p.maxBytes)) / used))).changes;
      deleted += n;
    }
  }
  if (deleted > 0) {
    db.prepare(`UPDATE store_state SET v = v + 1 WHERE k = 'rev'`).run();
    db.pragma('incremental_vacuum');
    if (path !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
    deletedCounter(deleted);
  }
  return { deleted, bytes: fileBytes(db, path) };
}
