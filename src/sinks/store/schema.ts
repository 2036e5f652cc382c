// Schema migrations, applied in order; `PRAGMA user_version` records how far a file has come.
// Append new steps, never edit a shipped one: files in the field are at every version.
export const MIGRATIONS: readonly string[] = [
  // 1: alerts, the events that triggered them, analyst history, counters.
  `
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    ts TEXT NOT NULL,
    created TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    rule_title TEXT NOT NULL,
    rule_kind TEXT NOT NULL,
    level TEXT NOT NULL,
    level_n INTEGER NOT NULL,
    strategy_id TEXT,
    strategy_title TEXT,
    host TEXT,
    container_id TEXT,
    container_name TEXT,
    image TEXT,
    pod_namespace TEXT,
    pod_name TEXT,
    summary TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    note TEXT,
    count INTEGER NOT NULL DEFAULT 1,
    held_back INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    rev INTEGER NOT NULL
  );
  CREATE INDEX alerts_ts ON alerts(ts);
  CREATE INDEX alerts_last_seen ON alerts(last_seen);
  CREATE INDEX alerts_rule ON alerts(rule_id, ts);
  CREATE INDEX alerts_strategy ON alerts(strategy_id, ts);
  CREATE INDEX alerts_container ON alerts(container_id);
  CREATE INDEX alerts_container_name ON alerts(container_name);
  CREATE INDEX alerts_host ON alerts(host, ts);
  CREATE INDEX alerts_status ON alerts(status, ts);
  CREATE INDEX alerts_rev ON alerts(rev);
  CREATE TABLE alert_techniques (
    alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    technique TEXT NOT NULL,
    PRIMARY KEY (technique, alert_id)
  ) WITHOUT ROWID;
  CREATE INDEX alert_techniques_alert ON alert_techniques(alert_id);
  CREATE TABLE alert_events (
    alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    ts TEXT,
    event TEXT NOT NULL,
    PRIMARY KEY (alert_id, seq)
  );
  CREATE TABLE alert_history (
    alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    actor TEXT
  );
  CREATE INDEX alert_history_alert ON alert_history(alert_id);
  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  CREATE TABLE store_state (
    k TEXT PRIMARY KEY,
    v INTEGER NOT NULL
  );
  INSERT INTO store_state(k, v) VALUES ('rev', 0);
  `,
  // 2: the running pipeline's health snapshot, so `serve` in another process can show it.
  `
  CREATE TABLE health (
    name TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    updated TEXT NOT NULL
  );
  `,
  // 3: techniques on the alert row ('|T1611|T1562.001|'), so a technique filter is a cheap
  // column test during the time-ordered scan instead of a lookup per row.
  `
  ALTER TABLE alerts ADD COLUMN techniques TEXT NOT NULL DEFAULT '';
  UPDATE alerts SET techniques = coalesce((SELECT '|' || group_concat(technique, '|') || '|' FROM alert_techniques t WHERE t.alert_id = alerts.id), '');
  -- Narrow covering indexes: counting matches reads these instead of rows carrying the document.
  CREATE INDEX alerts_techniques ON alerts(techniques);
  CREATE INDEX alerts_status_techniques ON alerts(status, techniques);
  `,
  // 4: the containment audit trail: every response action (or refusal, or dry run) on an alert.
  `
  CREATE TABLE response_actions (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    started TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    result TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX response_actions_alert ON response_actions(alert_id, started);
  `,
  // 5: who and which pod images an alert is about, as columns the page filters and groups by;
  // indexes that keep each page sort a walk down one index (keyset paging, no OFFSET scan).
  `
  ALTER TABLE alerts ADD COLUMN user_name TEXT;
  ALTER TABLE alerts ADD COLUMN pod_images TEXT;
  UPDATE alerts SET user_name = json_extract(doc, '$.entity.user');
  CREATE INDEX alerts_level ON alerts(level_n, ts);
  CREATE INDEX alerts_count ON alerts(count, ts);
  CREATE INDEX alerts_user ON alerts(user_name, ts);
  `,
];
