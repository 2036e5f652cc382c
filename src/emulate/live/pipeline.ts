// The live pipeline a validation run listens with — the runtime `watch` runs — and
// the audit rules it needs for the duration. Nothing here normalizes or matches.
import { errorMessage, firstLine } from '../../model/errors.js';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { defaultRulesFile, parseRulesFile, readRulesFile } from '../../sources/auditd/rules.js';
import { createRuntime, loadContent } from '../../runtime/index.js';
import type { EventTimings } from '../../sources/types.js';
import type { StowawayEvent } from '../../model/event.js';
import { percentile } from './match.js';
import type { AuditRulesInstaller, PipelineFactory } from './runner.js';
import type { LiveReport } from './report.js';

const run = promisify(execFile);

/** Ticks of watermark history kept: a minute at the live tick rate. */
const HISTORY = 600;
/** Most-delayed events remembered per source (their actions say what delays them). */
const SLOW_KEPT = 5;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** `loadContent` takes the content root; validate may hand us its strategies folder. */
export async function contentRoot(content: string): Promise<string> {
  if (await exists(join(content, 'strategies'))) return content;
  return basename(content) === 'strategies' ? dirname(content) : content;
}

/**
 * The pipeline `stowaway watch` runs: the shipped content as `loadContent` loads
 * it (rules, placeholders, correlations, analytics; its engine and lateness)
 * and the live sources as the runtime starts them. Findings go to the runner
 * before the alert pipeline, so dedup and throttling never hide a detection
 * from the judge.
 */
export const defaultPipeline: PipelineFactory = async ({ content, onFinding, onEvent }) => {
  const loaded = await loadContent({ contentDir: await contentRoot(content) });
  // Keyed by the event object: stamps live exactly as long as someone holds the event.
  const timings = new WeakMap<StowawayEvent, EventTimings & { engine_ms?: number }>();
  // How long after its own time each event was read: the evidence for the sources' watermark skews.
  const lags = new Map<string, number[]>();
  const slowest = new Map<string, Array<{ action: string; lag_ms: number; read: string }>>();
  const onTimings = (ev: StowawayEvent, t: EventTimings): void => {
    timings.set(ev, t);
    if (t.event_ms === undefined) return;
    const lag = t.read_ms - t.event_ms;
    let l = lags.get(t.source);
    if (!l) lags.set(t.source, (l = []));
    if (l.length < 100_000) l.push(lag);
    let s = slowest.get(t.source);
    if (!s) slowest.set(t.source, (s = []));
    if (s.length < SLOW_KEPT || lag > s[s.length - 1]!.lag_ms) {
      s.push({ action: ev.event?.action ?? '?', lag_ms: lag, read: new Date(t.read_ms).toISOString() });
      s.sort((a, b) => b.lag_ms - a.lag_ms);
      s.length = Math.min(s.length, SLOW_KEPT);
    }
  };
  // Each tick's source watermarks, so a held-back finding can say which source held it.
  const history: Array<{ at: number; wm: Record<string, number | undefined> }> = [];
  // A source read late because this process was busy is not the same as a producer writing late.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const rt = createRuntime({
    content: loaded,
    sources: { docker: { statsIntervalMs: 0, onTimings }, audit: { onTimings } },
    sinks: [{ findings: (found, cause) => found.forEach((f) => onFinding(f, cause)) }],
    onRecord(r) {
      if (!('event' in r)) return;
      const t = timings.get(r.event);
      if (t) t.engine_ms = Date.now();
      onEvent?.(r.event);
    },
    onTick(at, handle) {
      const wm: Record<string, number | undefined> = {};
      for (const s of handle.sources) wm[s.name] = s.watermark?.();
      history.push({ at, wm });
      if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
    },
  });
  const status = await rt.start();
  const started = new Set(status.filter((s) => s.started).map((s) => s.name));
  return {
    sources: status.map((s) => s.line),
    ready: started.has('docker') && started.has('auditd'),
    timings: (ev) => timings.get(ev),
    watermarkPassed(timeMs) {
      const out: Record<string, number> = {};
      for (const h of history) for (const [name, w] of Object.entries(h.wm)) if (out[name] === undefined && w !== undefined && w >= timeMs) out[name] = h.at;
      return out;
    },
    eventLoopDelay() {
      return loop.count > 0 ? { p99_ms: Math.round(loop.percentile(99) / 1e6), max_ms: Math.round(loop.max / 1e6) } : undefined;
    },
    sourceLag() {
      const out: NonNullable<LiveReport['source_lag']> = {};
      for (const [name, l] of lags)
        if (l.length)
          out[name] = { count: l.length, p50_ms: percentile(l, 50)!, p99_ms: percentile(l, 99)!, max_ms: Math.max(...l), slowest: slowest.get(name) ?? [] };
      return out;
    },
    rulesLoaded: loaded.counts.rules + loaded.counts.correlations,
    diagnostics: loaded.diagnostics,
    async stop() {
      loop.disable();
      await rt.stop();
    },
  };
};

/** Rules of the shipped file that add something (`-a`, `-A`, `-w`); control lines (-D, -b, -e, -f) are never applied here. */
export function addingRules(rules: string[][]): string[][] {
  return rules.filter((args) => args[0] === '-a' || args[0] === '-A' || args[0] === '-w');
}

/** Prefix of the key under which a validation run loads its own copy of the rules. */
export const RUN_AUDIT_KEY_PREFIX = 'stowaway-emulation-';

export function runAuditKey(runId: string): string {
  return `${RUN_AUDIT_KEY_PREFIX}${runId}`;
}

/** Keys of rule copies earlier runs left loaded (the caller holds the host lock, so none is live). */
export function staleRunKeys(auditctlList: string): string[] {
  const keys = new Set<string>();
  for (const m of auditctlList.matchAll(/(?:key=|-k )(stowaway-emulation-[0-9a-f]+)/g)) keys.add(m[1]!);
  return [...keys];
}

/** The same rule under another key (`-k K` or `-F key=K`; added when the rule has none). */
export function withKey(args: string[], key: string): string[] {
  const out = [...args];
  const k = out.indexOf('-k');
  if (k >= 0 && k + 1 < out.length) out[k + 1] = key;
  else {
    const f = out.findIndex((a, i) => out[i - 1] === '-F' && a.startsWith('key='));
    if (f >= 0) out[f] = `key=${key}`;
    else out.push('-k', key);
  }
  return out;
}

/**
 * Loads stowaway's shipped audit rules (the file `stowaway audit-rules` prints)
 * under a key of the run's own. Others may load or delete the shipped keys
 * while a run is in progress (a `stowaway watch` stopping, an administrator's
 * reload); the run's copy keeps auditing until the run deletes it by its key.
 * Rules the kernel refuses (a watched path missing here) are listed, not fatal.
 */
export const defaultAuditRules: AuditRulesInstaller = async (runId) => {
  const RUN_AUDIT_KEY = runAuditKey(runId);
  const file = defaultRulesFile();
  let text: string;
  try {
    text = readRulesFile(file);
  } catch (e) {
    throw new Error(`cannot read stowaway's audit rules ${file}: ${(e as Error).message}`);
  }
  // A run killed before its cleanup left its copy behind; that copy is ours to drop.
  const listed = await run('auditctl', ['-l']).then(
    (r) => r.stdout,
    () => '',
  );
  for (const k of staleRunKeys(listed)) await run('auditctl', ['-D', '-k', k]).catch(() => undefined);
  let added = 0;
  const refused: string[] = [];
  for (const args of addingRules(parseRulesFile(text))) {
    try {
      await run('auditctl', withKey(args, RUN_AUDIT_KEY));
      added++;
    } catch (e) {
      const msg = ((e as { stderr?: string }).stderr || errorMessage(e)).trim();
      refused.push(`${args.join(' ')}: ${msg.split('\n')[0]}`);
    }
  }
  if (added === 0) throw new Error(`auditctl loaded none of ${file}: ${refused.slice(0, 3).join('; ')}`);
  return {
    installed: added,
    detail: `key ${RUN_AUDIT_KEY}${refused.length ? `; ${refused.length} refused by this host: ${refused.slice(0, 2).join('; ')}` : ''}`,
    async remove() {
      try {
        await run('auditctl', ['-D', '-k', RUN_AUDIT_KEY]);
        const left = (await run('auditctl', ['-l', '-k', RUN_AUDIT_KEY])).stdout;
        const n = left.split('\n').filter((l) => l.includes(RUN_AUDIT_KEY)).length;
        return n === 0 ? { removed: true } : { removed: false, detail: `${n} rules with key ${RUN_AUDIT_KEY} still loaded` };
      } catch (e) {
        return { removed: false, detail: `auditctl -D -k ${RUN_AUDIT_KEY} failed: ${firstLine(e)}` };
      }
    },
  };
};
