// The store's public shape: what a caller reads and writes. The parts that implement it live
// beside this file, one concern each.
import type Database from 'better-sqlite3';
import type { Alert, AlertStatus } from '../../model/alert.js';
import type { ResponseRecord } from '../../model/response.js';
import type { AlertGroupBy, AlertQuery } from './query.js';
import type { RetentionPolicy } from './retention.js';

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
