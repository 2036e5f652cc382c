// What analysts and responders do to stored alerts: read one whole (events, status history,
// containment trail), change status one at a time or many in one transaction, record responses.
import type Database from 'better-sqlite3';
import type { AlertStatus } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import type { ResponseRecord } from '../../model/response.js';
import type { Ledger } from './ledger.js';
import { fromRow, type AlertRow } from './rows.js';
import type { AlertHistoryEntry, Store, StoredAlert } from './types.js';

export const STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'false_positive', 'resolved'];

export type Triage = Pick<Store, 'getAlert' | 'statusOf' | 'setStatus' | 'setStatusMany' | 'recordResponse' | 'responses'>;

function checkStatus(status: AlertStatus): void {
  if (!STATUSES.includes(status)) throw new Error(`unknown status '${status}' (one of ${STATUSES.join(', ')})`);
}

export function createTriage(db: Database.Database, ledger: Ledger): Triage {
  const selectAlert = db.prepare(`SELECT doc, status, note, count, held_back, ts, first_seen, last_seen, rev FROM alerts WHERE id = ?`);
  const selectEvents = db.prepare(`SELECT event FROM alert_events WHERE alert_id = ? ORDER BY seq`).pluck();
  const selectHistory = db.prepare(`SELECT time, status, note, actor FROM alert_history WHERE alert_id = ? ORDER BY rowid`);
  const updateStatus = db.prepare(`UPDATE alerts SET status = ?, note = ?, rev = ? WHERE id = ?`);
  const insertHistory = db.prepare(`INSERT INTO alert_history (alert_id, time, status, note, actor) VALUES (?, ?, ?, ?, ?)`);
  const selectStatus = db.prepare(`SELECT status FROM alerts WHERE id = ?`).pluck();

  const setStatusTx = db.transaction((id: string, status: AlertStatus, note: string | undefined, actor: string | undefined) => {
    const rev = ledger.nextRev();
    const r = updateStatus.run(status, note ?? null, rev, id);
    if (r.changes === 0) return false;
    insertHistory.run(id, new Date().toISOString(), status, note ?? null, actor ?? null);
    return true;
  });
  const setStatusManyTx = db.transaction((ids: readonly string[], status: AlertStatus, note: string | undefined, actor: string | undefined) => {
    const rev = ledger.nextRev();
    const time = new Date().toISOString();
    const changed: string[] = [];
    for (const id of ids) {
      if (updateStatus.run(status, note ?? null, rev, id).changes === 0) continue;
      insertHistory.run(id, time, status, note ?? null, actor ?? null);
      changed.push(id);
    }
    return changed;
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

  return {
    getAlert,
    statusOf(id) {
      return selectStatus.get(id) as AlertStatus | undefined;
    },
    setStatusMany(ids, status, note, actor) {
      checkStatus(status);
      return setStatusManyTx(ids, status, note, actor);
    },
    setStatus(id, status, note, actor) {
      checkStatus(status);
      return setStatusTx(id, status, note, actor) ? getAlert(id) : undefined;
    },
    recordResponse(r) {
      db.transaction(() => {
        insertResponse().run(r.id, r.alert_id, r.started, r.actor, r.action, r.target, r.dry_run ? 1 : 0, r.result, JSON.stringify(r));
        ledger.nextRev();
      })();
    },
    responses,
  };
}
