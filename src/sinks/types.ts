// What every alert output shares: fire-and-forget sending with visible failure counters.
import type { Alert } from '../model/alert.js';

export type AlertFormat = 'alert' | 'falco' | 'ecs';

export interface OutputStats {
  sent: number;
  failed: number;
  retries: number;
  /** Alerts refused because the output's queue was full. */
  dropped: number;
  queued: number;
  last_error?: string;
}

export interface Output {
  readonly name: string;
  /** Never throws and never blocks the pipeline; failures show in `stats()`. */
  send(alert: Alert): void;
  /** Waits for queued deliveries (bounded by the output's own retry limits). */
  close(): Promise<void>;
  stats(): OutputStats;
}

export function emptyStats(): OutputStats {
  return { sent: 0, failed: 0, retries: 0, dropped: 0, queued: 0 };
}
