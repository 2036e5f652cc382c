// Starts every live source it can and says, one line each, which started and why not.
// `watch` and `start` both call this; what they do with the records is theirs.
import { existsSync } from 'node:fs';
import type { LiveSource, SourceRecord } from './types.js';
import { ContainerAttributor } from './attribution.js';
import { DockerLiveSource, type DockerLiveOptions } from './docker/live.js';
import { AuditLiveSource, readProcCgroup, type AuditLiveOptions } from './auditd/live.js';
import { createK8sWebhookSource } from './k8s-audit/webhook.js';
import { createFalcoHttpSource } from './falco/http.js';
import type { HttpReceiverOptions } from './http.js';
import type { StowawayEvent } from '../model/event.js';

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

export interface LiveOptions {
  /** false turns a source off; an object configures it. Docker and audit are on by default. */
  docker?: false | DockerLiveOptions;
  audit?: false | AuditLiveOptions;
  /** Off unless a port is given. */
  k8sWebhook?: HttpReceiverOptions;
  falco?: HttpReceiverOptions;
}

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
  const attributor = new ContainerAttributor({ readCgroup: readProcCgroup });
  const planned: Array<{ name: string; source?: LiveSource; off?: string; detail?: string }> = [];

  let docker: DockerLiveSource | undefined;
  if (opts.docker === false) planned.push({ name: 'docker', off: 'turned off' });
  else {
    const socket = opts.docker?.socketPath ?? '/var/run/docker.sock';
    if (!existsSync(socket)) planned.push({ name: 'docker', off: `no Docker socket at ${socket}` });
    else {
      docker = new DockerLiveSource({ ...opts.docker, attributor });
      planned.push({ name: 'docker', source: docker, detail: socket });
    }
  }
  if (opts.audit === false) planned.push({ name: 'auditd', off: 'turned off' });
  else {
    const path = opts.audit?.path ?? '/var/log/audit/audit.log';
    const d = docker;
    const audit = new AuditLiveSource({ ...opts.audit, path, attributor, lookupContainer: d ? (id) => d.lookup(id) : undefined });
    planned.push({ name: 'auditd', source: audit, detail: path });
  }
  if (opts.k8sWebhook) planned.push({ name: 'k8s-audit', source: createK8sWebhookSource(opts.k8sWebhook), detail: `${opts.k8sWebhook.tls ? 'https' : 'http'}://${opts.k8sWebhook.host ?? '127.0.0.1'}:${opts.k8sWebhook.port}` });
  else planned.push({ name: 'k8s-audit', off: 'no webhook port configured (--k8s-audit-port)' });
  if (opts.falco) planned.push({ name: 'falco', source: createFalcoHttpSource(opts.falco), detail: `${opts.falco.tls ? 'https' : 'http'}://${opts.falco.host ?? '127.0.0.1'}:${opts.falco.port}` });
  else planned.push({ name: 'falco', off: 'no Falco receiver port configured (--falco-port)' });

  const sources: LiveSource[] = [];
  const status: LiveStatus[] = [];
  for (const p of planned) {
    if (!p.source) {
      status.push({ name: p.name, started: false, reason: p.off, line: `${p.name}: not started (${p.off})` });
      continue;
    }
    let r: { started: boolean; reason?: string };
    try {
      r = await p.source.start(emit);
    } catch (e) {
      r = { started: false, reason: (e as Error).message };
    }
    if (r.started) sources.push(p.source);
    status.push({ name: p.name, started: r.started, reason: r.reason, line: r.started ? `${p.name}: started (${p.detail})` : `${p.name}: not started (${r.reason})` });
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
