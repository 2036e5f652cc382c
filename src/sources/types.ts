// What every source yields: normalized events, or diagnostics for what it refused.
import type { StowawayEvent } from '../model/event.js';
import type { Diagnostic } from '../model/diagnostic.js';

export type SourceRecord = { event: StowawayEvent } | { diagnostic: Diagnostic };

export type FileFormat =
  | 'ecs' // plain ECS / stowaway NDJSON
  | 'docker-events' // `docker events --format '{{json .}}'`
  | 'auditd' // Linux audit.log
  | 'k8s-audit' // Kubernetes audit JSONL
  | 'falco' // Falco JSON output
  | 'zeek-conn' // Zeek conn.log, TSV or JSON
  | 'sysmon' // Sysmon for Linux XML, Windows events as JSON
  | 'winlog'; // Windows event JSON (Winlogbeat/ECS or Event.System/EventData)

export interface SourceStats {
  events: number;
  errors: number;
  dropped: number;
  unattributed: number;
  /** Seconds between event time and processing time for the newest event. */
  lag_s?: number;
}

/** A live source: started by `watch`, it says whether it could start and why not. */
export interface LiveSource {
  readonly name: string;
  start(emit: (r: SourceRecord) => void): Promise<{ started: boolean; reason?: string }>;
  stop(): Promise<void>;
  stats(): SourceStats;
  /**
   * How far this source's output is complete (epoch ms): it will not emit an event older
   * than this any more. Undefined when it cannot tell (events from other machines' clocks);
   * the engine then waits its lateness for this source.
   */
  watermark?(): number | undefined;
}
