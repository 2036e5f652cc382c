// The running pipeline, once: sources → engine → sinks, the tick that moves event time on,
// shutdown, and health. `start`, `watch` and `validate --live` are this object with different
// sources and sinks; replays (`demo`, `validate`) use the same content and engine through
// replay.ts.
import type { Finding } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import { errorMessage } from '../model/errors.js';
import type { Engine, EngineStats } from '../engine/index.js';
import type { SourceRecord, SourceStats } from '../sources/types.js';
import { startLiveSources, startLiveTicker, LIVE_TICK_MS, type LiveHandle, type LiveOptions, type LiveStatus } from '../sources/live.js';
import type { AlertPipeline, PipelineStats } from '../alerts/pipeline.js';
import type { Content } from './content.js';

/** Why findings come out: an event matched, event time moved on (tick), or the run ended (flush). */
export type FindingCause = 'event' | 'tick' | 'flush';

/** Where findings go. Alert pipelines, the validation judge and test collectors are sinks. */
export interface FindingSink {
  findings(found: readonly Finding[], cause: FindingCause): void;
  /** Flushes what it holds; called once, after the last findings. */
  close?(): Promise<void>;
}

export interface Clock {
  now(): number;
}

export interface RuntimeOptions {
  /** Without content the runtime only reads (watch prints events when detection cannot load). */
  content?: Pick<Content, 'engine'>;
  /** Which live sources, configured as their descriptors read them. */
  sources: LiveOptions;
  sinks: readonly FindingSink[];
  clock?: Clock;
  /**
   * Findings of events are held and handed to the sinks once per tick (one store transaction,
   * one fsync, per tick) instead of one call per event.
   */
  batch?: boolean;
  /** Each record before the engine sees it (events printed, stamps taken). */
  onRecord?: (r: SourceRecord) => void;
  /** Each tick, after the engine moved on (history of watermarks). */
  onTick?: (atMs: number, sources: LiveHandle) => void;
  /** Each tick, after its findings were handed to the sinks (receivers answer their senders then). */
  onCommitted?: () => void;
  tickMs?: number;
  /** Source diagnostics and engine errors kept for health beyond the counts. */
  maxDiagnostics?: number;
}

export interface RuntimeStats {
  events: number;
  findings: number;
  diagnostics: number;
  engine_errors: number;
}

export interface RuntimeHealth {
  sources: Array<{ name: string; started: boolean; reason?: string; stats: SourceStats }>;
  engine?: EngineStats;
  diagnostics: Record<string, number>;
}

export interface Runtime {
  readonly engine: Engine | undefined;
  /** Starts the sources and the tick; the status lines say which started and why not. */
  start(): Promise<LiveStatus[]>;
  /** A record as a source would hand it over (also how tests and replays feed it). */
  record(r: SourceRecord): void;
  /** Moves event time on to the sources' watermark; held findings come out. */
  tick(): void;
  /** Stops sources and tick, flushes the engine into the sinks and closes them. */
  stop(): Promise<void>;
  stats(): RuntimeStats;
  health(): RuntimeHealth;
  /** The started sources' handle (after start). */
  sources(): LiveHandle | undefined;
  diagnostics(): readonly Diagnostic[];
}

const ZERO: SourceStats = { events: 0, errors: 0, dropped: 0, unattributed: 0 };

export function createRuntime(opts: RuntimeOptions): Runtime {
  const clock = opts.clock ?? { now: () => Date.now() };
  const engine = opts.content?.engine();
  const maxDiags = opts.maxDiagnostics ?? 10_000;
  const diags: Diagnostic[] = [];
  const counts = new Map<string, number>();
  const st: RuntimeStats = { events: 0, findings: 0, diagnostics: 0, engine_errors: 0 };
  let pending: Finding[] = [];
  let handle: LiveHandle | undefined;
  let stopTicker: (() => void) | undefined;
  let stopped = false;

  const note = (d: Diagnostic): void => {
    st.diagnostics++;
    counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
    if (diags.length < maxDiags) diags.push(d);
  };

  const deliver = (found: Finding[], cause: FindingCause): void => {
    if (found.length === 0) return;
    st.findings += found.length;
    for (const s of opts.sinks) s.findings(found, cause);
  };

  const process = (ev: StowawayEvent): void => {
    if (!engine) return;
    let found: Finding[];
    try {
      found = engine.process(ev);
    } catch (e) {
      // One event the engine cannot take must not end the run.
      st.engine_errors++;
      note({ severity: 'error', code: 'engine-error', message: errorMessage(e), source: ev.stowaway?.source });
      return;
    }
    if (opts.batch) pending.push(...found);
    else deliver(found, 'event');
  };

  const record = (r: SourceRecord): void => {
    opts.onRecord?.(r);
    if ('diagnostic' in r) {
      note(r.diagnostic);
      return;
    }
    st.events++;
    process(r.event);
  };

  const tick = (): void => {
    const at = clock.now();
    // Event time moves on as far as the sources are complete, so held-back correlations come out at once, on a quiet host too.
    const held = engine?.tick(at, handle?.watermark()) ?? [];
    if (handle) opts.onTick?.(at, handle);
    if (opts.batch) {
      const batch = pending.concat(held);
      pending = [];
      deliver(batch, 'event');
    } else deliver(held, 'tick');
    opts.onCommitted?.();
  };

  return {
    engine,
    async start() {
      stopTicker = startLiveTicker(tick, opts.tickMs ?? LIVE_TICK_MS);
      handle = await startLiveSources(opts.sources, record);
      return handle.status;
    },
    record,
    tick,
    async stop() {
      if (stopped) return;
      stopped = true;
      await handle?.stop().catch(() => undefined);
      stopTicker?.();
      const rest = pending.concat(engine?.flush() ?? []);
      pending = [];
      deliver(rest, 'flush');
      for (const s of opts.sinks) await s.close?.();
    },
    stats: () => ({ ...st }),
    health() {
      const h = handle;
      return {
        sources: (h?.status ?? []).map((s) => ({
          name: s.name,
          started: s.started,
          reason: s.reason,
          stats: h?.sources.find((x) => x.name === s.name)?.stats() ?? ZERO,
        })),
        ...(engine ? { engine: engine.stats() } : {}),
        diagnostics: Object.fromEntries(counts),
      };
    },
    sources: () => handle,
    diagnostics: () => diags,
  };
}

/** The alert pipeline as a sink: findings become alerts; `onAlerts` hears of the new ones. */
export function alertSink(
  pipeline: AlertPipeline,
  onAlerts?: (created: ReturnType<AlertPipeline['process']>['created']) => void,
): FindingSink & { stats(): PipelineStats } {
  return {
    findings(found) {
      const r = pipeline.process(found);
      if (r.created.length > 0) onAlerts?.(r.created);
    },
    close: () => pipeline.close(),
    stats: () => pipeline.stats(),
  };
}
