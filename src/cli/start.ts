// `stowaway start` (what `npm start` runs): live sources of this host → the built-in
// content → alert pipeline → SQLite store, outputs and the page.
import type { Command } from 'commander';
import type { Finding } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { countByCode } from '../model/diagnostic.js';
import type { SourceRecord } from '../sources/types.js';
import { openStore, type Store } from '../sinks/store/index.js';
import { createOutputs, parseFormat, type Output, type OutputOptions } from '../sinks/index.js';
import { createAlertPipeline, DEFAULTS, type AlertPipeline } from '../alerts/pipeline.js';
import { loadExceptions, type AlertException } from '../alerts/exceptions.js';
import { loadContent, type Content } from '../alerts/runtime.js';
import { createHealthReporter } from '../server/health.js';
import { formatDiagnostic } from '../model/diagnostic.js';
import { pageOptions, openPage, coverageFrom, untilSignal, type PageOptions } from './serve.js';
import { exceptionFiles } from './alerts.js';
import { addLiveOptions, liveOptionsFrom, runWatch, type WatchCliOptions } from './watch.js';
import { startLiveTicker, type LiveHandle } from '../sources/live.js';
import { SensorWatch, loadedAuditRules, withSensorRules } from '../alerts/sensor.js';
import { hostname } from 'node:os';

export interface AlertOptions extends OutputOptions {
  exceptions?: string[];
  dedupWindow: string;
  rateLimit: string;
  retentionDays: string;
  retentionMb: string;
}

/** Alert-path options shared by every command that raises alerts. */
export function alertOptions(cmd: Command): Command {
  return cmd
    .option('--stdout <format>', 'also print each new alert as NDJSON: alert, falco or ecs', parseFormat)
    .option('--webhook <url>', 'POST each new alert to this URL (retried, signed when a secret is set)')
    .option('--webhook-secret <secret>', 'HMAC-SHA256 key for X-Stowaway-Signature, which signs the time and the body (default: $STOWAWAY_WEBHOOK_SECRET)')
    .option('--webhook-format <format>', 'alert, falco or ecs', parseFormat)
    .option('--nats <servers>', 'publish each new alert to NATS (comma-separated servers)')
    .option('--nats-subject <prefix>', 'subject prefix; the level is appended', 'stowaway.alerts')
    .option('--nats-format <format>', 'alert, falco or ecs', parseFormat)
    .option('--exceptions <file...>', 'exception files besides <data-dir>/exceptions.yaml')
    .option('--dedup-window <seconds>', 'repeats of a rule on one entity within this span merge into one alert', String(DEFAULTS.dedupWindowS))
    .option('--rate-limit <n/seconds>', 'new alerts per rule per span of event time; the rest are held back and counted', `${DEFAULTS.rateLimit.perRule}/${DEFAULTS.rateLimit.windowS}`)
    .option('--retention-days <n>', 'delete alerts last seen longer ago than this', '30')
    .option('--retention-mb <n>', 'keep the store under this size, deleting oldest alerts first', '1024');
}

function num(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: '${v}' is not a non-negative number`);
  return n;
}

/** Builds the alert path from options; exceptions lint is printed, errors refuse the bad entries only. */
export function alertPath(o: AlertOptions & { dataDir: string }, store: Store, content: Content): { pipeline: AlertPipeline; outputs: Output[]; exceptions: AlertException[] } {
  const exceptions: AlertException[] = [];
  for (const f of exceptionFiles(o.dataDir, o.exceptions)) {
    const set = loadExceptions(f);
    for (const d of set.diagnostics) process.stderr.write(`stowaway: ${formatDiagnostic(d)}\n`);
    exceptions.push(...set.exceptions);
  }
  const m = /^(\d+)\/(\d+)$/.exec(o.rateLimit);
  if (!m) throw new Error(`--rate-limit: '${o.rateLimit}' is not <count>/<seconds>`);
  const outputs = createOutputs(o);
  const pipeline = createAlertPipeline({
    store,
    outputs,
    catalog: withSensorRules(content.catalog),
    exceptions,
    dedupWindowS: num(o.dedupWindow, '--dedup-window'),
    rateLimit: { perRule: Number(m[1]), windowS: Number(m[2]) },
  });
  return { pipeline, outputs, exceptions };
}

export function register(program: Command): void {
  addLiveOptions(
    alertOptions(
      pageOptions(
        program
          .command('start')
          .description('Watch this host (Docker engine, Linux audit, Kubernetes audit webhook and Falco when given a port) with the built-in detections; alerts go to the SQLite store, the page and any outputs. Without a live source it says so and points to `stowaway demo`.'),
      ),
    ),
  )
    .option('--content <dir>', 'content directory (default: the built-in content)')
    .option('--no-serve', 'do not serve the page')
    .option('--silence <seconds>', 'a source that delivered events and then none for this long raises a sensor alert', '900')
    .option('--max-lag <seconds>', 'a source further behind event time than this raises a sensor alert', '120')
    .action(async (o: PageOptions & AlertOptions & WatchCliOptions & { serve: boolean; silence: string; maxLag: string }) => {
      const log = (s: string): boolean => process.stderr.write(`stowaway: ${s}\n`);
      const store = openStore(o.dataDir);
      const retention = { maxAgeDays: num(o.retentionDays, '--retention-days'), maxBytes: num(o.retentionMb, '--retention-mb') * 1024 * 1024 };
      const r = store.applyRetention(retention);
      log(`store ${store.path} (${(r.bytes / 1e6).toFixed(1)} MB${r.deleted ? `, ${r.deleted} alerts past retention deleted` : ''})`);
      const content = await loadContent({ contentDir: o.content, db: store.db });
      const c = content.counts;
      log(`content: ${c.rules} rules, ${c.correlations} correlations, ${c.analytics} analytics from ${content.contentDir}${c.refused ? ` (${c.refused} refused: see \`stowaway rules check\`)` : ''}`);
      if (content.catalogNote) log(content.catalogNote);
      const { pipeline, outputs } = alertPath(o, store, content);
      const engine = content.engine();
      const diags: Diagnostic[] = [];
      let pending: Finding[] = [];
      const emit = (rec: SourceRecord): void => {
        if ('diagnostic' in rec) {
          if (diags.length < 10_000) diags.push(rec.diagnostic);
          return;
        }
        try {
          pending.push(...engine.process(rec.event));
        } catch (e) {
          diags.push({ severity: 'error', code: 'engine-error', message: (e as Error).message, source: rec.event.stowaway?.source });
        }
      };
      let live: ReturnType<typeof liveOptionsFrom>;
      try {
        live = liveOptionsFrom(o);
      } catch (e) {
        log((e as Error).message);
        await pipeline.close();
        store.close();
        process.exitCode = 2;
        return;
      }
      // A receiver answers its sender once the events of the request are committed: a
      // sender that got 200 may forget them, so they must not be only in memory.
      let waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
      const handedOn = (): Promise<void> => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      for (const r of [live.k8sWebhook, live.falco]) if (r) r.handedOn = handedOn;

      // Findings are committed in small batches: one transaction (one fsync) per tick, not per finding.
      let handle: LiveHandle | undefined;
      const stopTicker = startLiveTicker(() => {
        const waiters = waiting;
        waiting = [];
        // Event time moves on as far as the sources are complete, so held-back correlations come out at once, on a quiet host too.
        pending.push(...engine.tick(Date.now(), handle?.watermark()));
        const before = pipeline.stats().store_errors;
        if (pending.length > 0) {
          const batch = pending;
          pending = [];
          pipeline.process(batch);
        }
        const failed = pipeline.stats().store_errors > before;
        for (const w of waiters) failed ? w.reject(new Error(pipeline.stats().last_store_error ?? 'store write failed')) : w.resolve();
      });

      handle = await runWatch(live, emit, (line) => log(`source ${line}`));
      const sources = handle;
      const status = sources.status.map((st) => ({ ...st, src: sources.sources.find((x) => x.name === st.name) }));
      const zero = { events: 0, errors: 0, dropped: 0, unattributed: 0 };
      // Sensor tamper and health: checked every 10 s, each new gap a finding of its own.
      const sensor = new SensorWatch({ silenceMs: num(o.silence, '--silence') * 1000, maxLagS: num(o.maxLag, '--max-lag'), host: hostname() });
      const auditOn = status.some((s) => s.name === 'auditd' && s.started);
      const checkSensors = (): void => {
        const snap = status.map((s) => {
          const stats = s.src?.stats() ?? zero;
          return { name: s.name, started: s.started, stats, stopped: (stats as { stopped?: boolean }).stopped === true };
        });
        pending.push(...sensor.check(Date.now(), snap, auditOn ? loadedAuditRules() : undefined));
      };
      checkSensors();
      const sensorTimer = setInterval(checkSensors, 10_000);
      sensorTimer.unref();
      const health = createHealthReporter(
        {
          mode: 'live',
          sources: () => status.map((s) => ({ name: s.name, started: s.started, reason: s.reason, stats: s.src?.stats() ?? zero })),
          pipeline: () => pipeline.stats(),
          engine: () => engine.stats() as unknown as Record<string, unknown>,
          outputs,
          diagnostics: () => Object.fromEntries(countByCode(diags)),
          gaps: () => sensor.gaps(),
        },
        store,
      );
      health.write();
      if (!status.some((s) => s.started)) {
        log('no live source available (see the reasons above). Run `stowaway demo` to replay the shipped scenarios and see a populated page.');
        if (!o.serve) {
          stopTicker();
          health.stop();
          await pipeline.close();
          store.close();
          process.exitCode = 1;
          return;
        }
      }
      const srv = o.serve ? await openPage(o, store, { coverage: coverageFrom(content), health: () => health.current() }) : undefined;
      // Progress: one line a minute while running.
      const progress = setInterval(() => {
        const p = pipeline.stats();
        const ev = status.reduce((n, s) => n + (s.src?.stats().events ?? 0), 0);
        log(`${ev} events, ${p.findings} findings, ${p.created} alerts (${p.merged} merged, ${p.held_back} held back, ${p.excepted} excepted), ${diags.length} diagnostics`);
      }, 60_000);
      const hourly = setInterval(() => store.applyRetention(retention), 3_600_000);
      await untilSignal(async () => {
        clearInterval(progress);
        clearInterval(hourly);
        clearInterval(sensorTimer);
        await sources.stop().catch(() => undefined);
        stopTicker();
        pipeline.process([...pending, ...engine.flush()]);
        health.write();
        health.stop();
        await pipeline.close();
        await srv?.close();
        store.close();
      });
    });
}
