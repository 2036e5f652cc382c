// Alert writes: a batch of new and merged alerts in one transaction, each new alert in its own
// savepoint so one that cannot be written costs that alert, not the batch.
import type Database from 'better-sqlite3';
import type { Alert } from '../../model/alert.js';
import type { Ledger } from './ledger.js';
import { alertRowParams, eventJson } from './rows.js';
import type { Store, WriteResult } from './types.js';

export function createAlertWriter(db: Database.Database, ledger: Ledger): Store['writeAlerts'] {
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

  /** What went wrong in the batch being written, one line each; empty between batches. */
  let problems: string[] = [];
  const insertOne = db.transaction((a: Alert, rev: number) => {
    insertAlert.run(alertRowParams(a, rev));
    for (const t of a.attack) insertTechnique.run(a.id, t.technique);
    a.events.forEach((e, i) => {
      const doc = eventJson(e);
      if (doc.truncated) problems.push(`alert ${a.id}: event ${i} stored truncated (${doc.truncated})`);
      insertEvent.run(a.id, i, typeof e['@timestamp'] === 'string' ? e['@timestamp'] : null, doc.text);
    });
  });
  const writeAlerts = db.transaction((batch: { insert?: Alert[]; update?: Alert[]; counters?: Record<string, number> }) => {
    const rev = ledger.nextRev();
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
    if (batch.counters) ledger.addCountersTx(batch.counters);
  });

  return (batch) => {
    problems = [];
    writeAlerts(batch);
    const out: WriteResult = { failed: 0, truncated: 0, problems };
    for (const m of problems) m.includes(' not stored: ') ? out.failed++ : out.truncated++;
    problems = [];
    if (out.truncated || out.failed) ledger.addCounters({ 'store.truncated_events': out.truncated, 'store.failed_alerts': out.failed });
    return out;
  };
}
