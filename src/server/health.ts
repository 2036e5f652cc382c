// Health snapshots of a running pipeline: sources, engine, alert pipeline, outputs.
// The running process keeps them in memory for its own page and writes them to the
// store so a `serve` in another process shows the same figures.
import type { SourceStats } from '../sources/types.js';
import type { PipelineStats } from '../alerts/pipeline.js';
import type { Output, OutputStats } from '../sinks/types.js';
import type { Store } from '../sinks/store/index.js';
import type { SensorGap } from '../alerts/sensor.js';

export interface SourceHealth extends SourceStats {
  name: string;
  started?: boolean;
  reason?: string;
  events_per_s?: number;
}

export interface HealthSnapshot {
  time: string;
  mode: 'live' | 'replay';
  sources: SourceHealth[];
  pipeline: PipelineStats;
  engine?: Record<string, unknown>;
  outputs: (OutputStats & { name: string })[];
  diagnostics?: Record<string, number>;
  /** Open sensor gaps: sources stopped, silent, lagging or losing events, audit rules removed. */
  gaps?: SensorGap[];
}

export interface HealthInputs {
  mode: HealthSnapshot['mode'];
  sources: () => { name: string; started?: boolean; reason?: string; stats: SourceStats }[];
  pipeline: () => PipelineStats;
  engine?: () => Record<string, unknown>;
  outputs?: readonly Output[];
  diagnostics?: () => Record<string, number>;
  gaps?: () => SensorGap[];
}

/** Rates come from the difference between two snapshots, so they are per-interval, not lifetime averages. */
export function createHealthReporter(inputs: HealthInputs, store?: Store, intervalMs = 2000) {
  let prev: { at: number; events: Map<string, number> } | undefined;
  let last: HealthSnapshot | undefined;
  function snapshot(): HealthSnapshot {
    const now = Date.now();
    const events = new Map<string, number>();
    const sources = inputs.sources().map((s) => {
      events.set(s.name, s.stats.events);
      const before = prev?.events.get(s.name);
      const dt = prev ? (now - prev.at) / 1000 : 0;
      const h: SourceHealth = { name: s.name, ...s.stats, events_per_s: before !== undefined && dt > 0 ? (s.stats.events - before) / dt : 0 };
      if (s.started !== undefined) h.started = s.started;
      if (s.reason) h.reason = s.reason;
      return h;
    });
    prev = { at: now, events };
    last = {
      time: new Date(now).toISOString(),
      mode: inputs.mode,
      sources,
      pipeline: inputs.pipeline(),
      engine: inputs.engine?.(),
      outputs: (inputs.outputs ?? []).map((o) => ({ name: o.name, ...o.stats() })),
      diagnostics: inputs.diagnostics?.(),
      gaps: inputs.gaps?.(),
    };
    return last;
  }
  const write = (): void => {
    const s = snapshot();
    try {
      store?.putHealth('pipeline', s);
    } catch {
      /* a busy store must not stop detection; the next tick tries again */
    }
  };
  const timer = setInterval(write, intervalMs);
  timer.unref();
  return {
    current: (): HealthSnapshot => last ?? snapshot(),
    write,
    stop: () => clearInterval(timer),
  };
}
