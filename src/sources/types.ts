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
  /** Started, but not reading its input now (stream broken and reconnecting, daemon gone): a sensor gap. */
  stopped?: boolean;
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

/**
 * Wall-clock stamps (epoch ms, this host's clock) of one live event on its way through a
 * source, so a slow detection can be taken apart: the producer's own time, when the source
 * first saw it, when it was complete, each call to the container runtime it waited for, and
 * when it was handed on.
 */
export interface EventTimings {
  source: string;
  /** The event's own time as the kernel or the daemon stamped it. */
  event_ms?: number;
  /** When the source first read any part of it (first audit record line, stream line). */
  read_ms: number;
  /** Audit: when the assembler completed the event. */
  assembled_ms?: number;
  /** Container-runtime calls it waited for (inspect, exec inspect, lookup), in order. */
  calls: Array<{ call: string; start_ms: number; end_ms: number }>;
  /** When the source handed it to its consumer (the engine). */
  emitted_ms: number;
}

/** Receives the timings of each event just before the event itself is emitted. */
export type TimingsHook = (ev: StowawayEvent, t: EventTimings) => void;
