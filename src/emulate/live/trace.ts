// Where the time of one detection went: each contributing event's stamps (the producer's
// own time, first read, assembly, runtime calls, hand-over to the engine) and the moment
// the engine let the finding out, all relative to the step the latency is measured from.
import type { EventTimings } from '../../sources/types.js';

/** One contributing event's stamps as the pipeline saw them (epoch ms). */
export interface EventStamps extends EventTimings {
  /** What the event was (event.action). */
  action?: string;
  /** When the engine was handed it. */
  engine_ms?: number;
}

/** How a finding reached the runner: from an event's own processing, or released by a watermark tick. */
export type FindingVia = 'event' | 'tick' | 'flush';

export interface FindingTrace {
  via: FindingVia;
  /** Stamps of the contributing events that were traced, in the finding's order. */
  events: EventStamps[];
  /** Held for the watermark: when each source's watermark passed the newest event (epoch ms). */
  watermarks?: Record<string, number>;
}

/** A trace made relative to the latency's zero (the step's start): every figure is ms after it. */
export interface LatencyBreakdown {
  via: FindingVia;
  /** ms from the step's start to the finding's arrival (the latency itself). */
  finding: number;
  events: Array<{
    source: string;
    action?: string;
    event?: number;
    read: number;
    assembled?: number;
    calls: Array<{ call: string; start: number; end: number }>;
    emitted: number;
    engine?: number;
  }>;
  /** Held for the watermark: when each source's watermark passed the newest contributing event. */
  watermarks?: Record<string, number>;
}

export function breakdown(trace: FindingTrace, zeroMs: number, receivedMs: number): LatencyBreakdown {
  const rel = (t: number): number => t - zeroMs;
  return {
    via: trace.via,
    finding: rel(receivedMs),
    events: trace.events.map((e) => ({
      source: e.source,
      ...(e.action ? { action: e.action } : {}),
      ...(e.event_ms !== undefined ? { event: rel(e.event_ms) } : {}),
      read: rel(e.read_ms),
      ...(e.assembled_ms !== undefined ? { assembled: rel(e.assembled_ms) } : {}),
      calls: e.calls.map((c) => ({ call: c.call, start: rel(c.start_ms), end: rel(c.end_ms) })),
      emitted: rel(e.emitted_ms),
      ...(e.engine_ms !== undefined ? { engine: rel(e.engine_ms) } : {}),
    })),
    ...(trace.watermarks ? { watermarks: Object.fromEntries(Object.entries(trace.watermarks).map(([k, v]) => [k, rel(v)])) } : {}),
  };
}

/**
 * The detector's own delay: from the newest contributing event (its own time, else when it was
 * read) to the finding. The step's latency also holds the workload's run time (a container that
 * starts, then encrypts), which no detector can remove.
 */
export function detectionMs(b: LatencyBreakdown): number | undefined {
  if (b.events.length === 0) return undefined;
  let newest = -Infinity;
  for (const e of b.events) newest = Math.max(newest, e.event ?? e.read);
  return Math.max(0, b.finding - newest);
}

const at = (v: number): string => `${v >= 0 ? '+' : ''}${Math.round(v)}`;

/** One line per event, then the finding: `docker container-create: event +412 read +415 inspect +415..+440 emitted +441 engine +441`. */
export function formatBreakdown(b: LatencyBreakdown): string[] {
  const lines = b.events.map((e) => {
    const parts = [`${e.source} ${e.action ?? '?'}:`];
    if (e.event !== undefined) parts.push(`event ${at(e.event)}`);
    parts.push(`read ${at(e.read)}`);
    if (e.assembled !== undefined) parts.push(`assembled ${at(e.assembled)}`);
    for (const c of e.calls) parts.push(`${c.call} ${at(c.start)}..${at(c.end)}`);
    parts.push(`emitted ${at(e.emitted)}`);
    if (e.engine !== undefined) parts.push(`engine ${at(e.engine)}`);
    return parts.join(' ');
  });
  if (b.watermarks)
    lines.push(
      `watermark passed it: ${Object.entries(b.watermarks)
        .map(([k, v]) => `${k} ${at(v)}`)
        .join(', ')}`,
    );
  lines.push(`finding (${b.via === 'event' ? 'on the event' : b.via === 'tick' ? 'released by the watermark' : 'at the end'}) ${at(b.finding)}`);
  return lines;
}
