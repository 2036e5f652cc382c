// The contract between the streaming runtime and everything that detects.
import type { StowawayEvent } from '../model/event.js';
import type { Finding } from '../model/alert.js';

/**
 * A stateful core that turns events into findings: the Sigma rule set, the
 * correlation engine, each analytic. Time is event time: `advance` is called
 * with the watermark (newest event time minus allowed lateness) so windows can
 * close deterministically on replay.
 */
export interface Detector {
  readonly name: string;
  process(event: StowawayEvent): Finding[];
  advance?(watermark: string): Finding[];
  /** Counters for the health view: evaluated, matched, evicted, dropped ... */
  stats?(): Record<string, number>;
  /** Writes learned state to wherever the detector keeps it, now (a fleet checkpoint). */
  checkpoint?(): void;
}
