// Starts every live source its descriptor can create and says, one line each, which started
// and why not. The runtime calls this; what happens to the records is the runtime's.
import type { LiveSource, SourceRecord } from './types.js';
import { ContainerAttributor } from './attribution.js';
import { readProcCgroup } from './auditd/live.js';
import { LIVE_SOURCES, type LiveOptions, type SourceContext } from './descriptors.js';
import { errorMessage } from '../model/errors.js';

export type { LiveOptions } from './descriptors.js';
export type { EventTimings, TimingsHook } from './types.js';

export interface LiveStatus {
  name: string;
  started: boolean;
  reason?: string;
  /** One human line: `docker: started` / `k8s-audit: not started (port 8443 in use)`. */
  line: string;
}

export interface LiveHandle {
  sources: LiveSource[];
  status: LiveStatus[];
  /** Event time up to which every started source is complete (see liveWatermark). */
  watermark(): number | undefined;
  stop(): Promise<void>;
}

/**
 * How often live commands tick the engine: a tick costs next to nothing when no correlation
 * input waits, and held findings wait for it (up to this long after the watermark passed them).
 */
export const LIVE_TICK_MS = 50;

/**
 * The event time up to which the live input is complete: the oldest of the started sources'
 * watermarks. Undefined when some source cannot tell (its events carry other machines'
 * clocks) or none started; the engine then waits its whole lateness.
 */
export function liveWatermark(sources: readonly LiveSource[]): number | undefined {
  let wm: number | undefined;
  for (const s of sources) {
    const w = s.watermark?.();
    if (w === undefined || !Number.isFinite(w)) return undefined;
    if (wm === undefined || w < wm) wm = w;
  }
  return wm;
}

/**
 * Calls `onTick` every `everyMs` until the returned function is called. The call is made
 * after the event loop's next I/O poll, not in the timer itself: a timer that fires after
 * a busy stretch would otherwise judge the sources complete while their data still waits
 * unread in a socket.
 */
export function startLiveTicker(onTick: () => void, everyMs = LIVE_TICK_MS): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setInterval(() => {
    immediate ??= setImmediate(() => {
      immediate = undefined;
      onTick();
    });
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
  };
}

export async function startLiveSources(opts: LiveOptions, emit: (r: SourceRecord) => void): Promise<LiveHandle> {
  const ctx: SourceContext = { attributor: new ContainerAttributor({ readCgroup: readProcCgroup }) };
  const sources: LiveSource[] = [];
  const status: LiveStatus[] = [];
  for (const d of LIVE_SOURCES) {
    // Created one after another: a later source may use what an earlier one set up (audit asks Docker).
    const made = d.create(opts[d.key], ctx);
    if ('off' in made) {
      status.push({ name: d.name, started: false, reason: made.off, line: `${d.name}: not started (${made.off})` });
      continue;
    }
    let r: { started: boolean; reason?: string };
    try {
      r = await made.source.start(emit);
    } catch (e) {
      r = { started: false, reason: errorMessage(e) };
    }
    if (r.started) sources.push(made.source);
    status.push({
      name: d.name,
      started: r.started,
      reason: r.reason,
      line: r.started ? `${d.name}: started (${made.detail})` : `${d.name}: not started (${r.reason})`,
    });
  }
  return {
    sources,
    status,
    watermark: () => liveWatermark(sources),
    async stop() {
      // reverse order: audit flushes while Docker can still be asked
      for (const s of [...sources].reverse()) await s.stop();
    },
  };
}
