// `stowaway start` (what `npm start` runs): the runtime over this host's live sources, the
// content, and the alert path into the SQLite store, outputs and the page.
import type { Command } from 'commander';
import { formatDiagnostic } from '../model/diagnostic.js';
import { errorMessage } from '../model/errors.js';
import { DEFAULT_DATA_DIR, openStore } from '../sinks/store/index.js';
import { createHealthReporter } from '../server/health.js';
import { alertSink, createAlertPath, createRuntime, loadContent } from '../runtime/index.js';
import {
  alertOptions,
  alertPathFrom,
  contentFrom,
  contentOptions,
  liveOptions,
  liveOptionsFrom,
  nonNegative,
  pageOptions,
  responseOption,
  retentionFrom,
  type AlertCliOptions,
  type ContentCliOptions,
  type PageOptions,
} from './options.js';
import { coverageFrom, openPage, untilSignal, userContentLine } from './page.js';
import { responderFor } from './responder.js';
import { SensorWatch, checkSources, withSensorRules } from '../alerts/sensor.js';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import type { Alert } from '../model/alert.js';
import { loadedRules } from '../sources/auditd/rules.js';
import { configOption } from './config-file.js';

type StartOptions = PageOptions &
  AlertCliOptions &
  ContentCliOptions &
  Record<string, unknown> & { serve: boolean; quiet?: boolean; counters: string; create?: boolean };

/** One terminal line per new alert: level, rule, what it is about, and the id to look it up with. */
export function alertLine(a: Alert): string {
  return `alert ${a.level.padEnd(8)} ${a.rule.title} — ${a.summary} (stowaway alerts show ${a.id.slice(0, 8)})`;
}

/** The exit summary: what ran, what it raised, by rule, and what was lost. */
export function summaryLines(
  seconds: number,
  events: number,
  p: { findings: number; created: number; merged: number; excepted: number; held_back: number; store_errors: number },
  byRule: ReadonlyMap<string, number>,
  drops: { source: string; dropped: number; errors: number }[],
): string[] {
  const out = [
    `summary: ${Math.round(seconds)} s, ${events} events, ${p.findings} findings, ${p.created} alerts (${p.merged} merged into earlier ones, ${p.excepted} excepted, ${p.held_back} held back by the rate limit)`,
  ];
  for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1]).slice(0, 20)) out.push(`  ${String(n).padStart(6)}  ${rule}`);
  if (byRule.size > 20) out.push(`  … and ${byRule.size - 20} more rules (stowaway alerts list)`);
  const lost = drops.filter((d) => d.dropped > 0 || d.errors > 0);
  out.push(
    lost.length || p.store_errors
      ? `  lost: ${[...lost.map((d) => `${d.source} ${d.dropped} dropped, ${d.errors} errors`), ...(p.store_errors ? [`store ${p.store_errors} write errors`] : [])].join('; ')}`
      : '  lost: nothing (no source dropped an event, no store write failed)',
  );
  return out;
}

export function register(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'Watch this host (Docker engine, Linux audit, Kubernetes audit webhook and Falco when given a port) with the built-in detections; alerts go to the SQLite store, the page and any outputs. Without a live source it says so and points to `stowaway demo`.',
    );
  configOption(responseOption(contentOptions(liveOptions(alertOptions(pageOptions(cmd))))))
    .option('--no-serve', 'do not serve the page')
    .option('--quiet', 'no line per new alert on the terminal (counters and the summary stay)')
    .option('--counters <seconds>', 'print the event, finding and alert counters this often (0: never)', '60')
    .option('--create', 'create --data-dir when it does not exist (otherwise a mistyped path is refused)')
    .option('--silence <seconds>', 'a source that delivered events and then none for this long raises a sensor alert', '900')
    .option('--max-lag <seconds>', 'a source further behind event time than this raises a sensor alert', '120')
    .action(async (o: StartOptions & { silence: string; maxLag: string }) => {
      const log = (s: string): boolean => process.stderr.write(`stowaway: ${s}\n`);
      let sources: ReturnType<typeof liveOptionsFrom>;
      try {
        sources = liveOptionsFrom(o);
      } catch (e) {
        log(errorMessage(e));
        process.exitCode = 2;
        return;
      }
      const alertPath = alertPathFrom(o);
      const retention = retentionFrom(o);
      const countersS = nonNegative(o.counters, '--counters');
      const started = Date.now();
      if (!existsSync(o.dataDir) && !o.create && o.dataDir !== DEFAULT_DATA_DIR) {
        log(`--data-dir ${o.dataDir} does not exist; give --create to make a new store there`);
        process.exitCode = 2;
        return;
      }
      const store = openStore(o.dataDir);
      const r = store.applyRetention(retention);
      log(`store ${store.path} (${(r.bytes / 1e6).toFixed(1)} MB${r.deleted ? `, ${r.deleted} alerts past retention deleted` : ''})`);
      const content = await loadContent({ ...contentFrom(o), db: store.db });
      const c = content.counts;
      log(
        `content: ${c.rules} rules, ${c.correlations} correlations, ${c.analytics} analytics from ${content.contentDir}${c.refused ? ` (${c.refused} refused: see \`stowaway rules check\`)` : ''}`,
      );
      if (o.rules || o.placeholders) log(`added to the content: ${userContentLine(content, o)}`);
      if (content.catalogNote) log(content.catalogNote);
      // Sensor tamper and health alerts (ADS-0002) go through the same alert path as the rules' findings.
      const { pipeline, outputs } = createAlertPath(alertPath, store, { catalog: withSensorRules(content.catalog) }, (d) => log(formatDiagnostic(d)));
      const sensor = new SensorWatch({ silenceMs: nonNegative(o.silence, '--silence') * 1000, maxLagS: nonNegative(o.maxLag, '--max-lag'), host: hostname() });
      const responder = await responderFor(o, store, log);
      // Containment: in auto mode the policy's actions run for each new alert (off and suggest: nothing).
      const byRule = new Map<string, number>();
      const sink = alertSink(pipeline, (created) => {
        for (const a of created) {
          byRule.set(a.rule.title, (byRule.get(a.rule.title) ?? 0) + 1);
          if (!o.quiet) log(alertLine(a));
          responder.onAlert(a).catch((e: unknown) => log(`respond: ${errorMessage(e)}`));
        }
      });
      // A receiver answers its sender once the events of the request are committed: a sender that
      // got 200 may forget them, so they must not be only in memory. Requests wait for the next
      // tick's commit; a failed store write answers 503 so the sender retries.
      let waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
      let answering: typeof waiting = [];
      let storeErrors = 0;
      const handedOn = (): Promise<void> => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      for (const rcv of [sources.k8sWebhook, sources.falco]) if (rcv) rcv.handedOn = handedOn;
      // Findings are committed in small batches: one transaction (one fsync) per tick, not per finding.
      const rt = createRuntime({
        content,
        sources,
        sinks: [sink],
        batch: true,
        onTick() {
          answering = waiting;
          waiting = [];
          storeErrors = pipeline.stats().store_errors;
        },
        onCommitted() {
          const failed = pipeline.stats().store_errors > storeErrors;
          for (const w of answering) {
            if (failed) w.reject(new Error(pipeline.stats().last_store_error ?? 'store write failed'));
            else w.resolve();
          }
          answering = [];
        },
      });
      const health = createHealthReporter(
        {
          mode: 'live',
          sources: () => rt.health().sources,
          pipeline: () => pipeline.stats(),
          engine: () => ({ ...rt.health().engine }),
          outputs,
          diagnostics: () => rt.health().diagnostics,
          gaps: () => sensor.gaps(),
        },
        store,
      );
      const status = await rt.start();
      for (const s of status) log(`source ${s.line}`);
      // A running audit daemon with no rules delivers nothing: say so, and how to load them.
      if (status.some((s) => s.name === 'auditd' && s.started)) {
        const rules = loadedRules();
        if (rules && rules.stowaway === 0)
          log(
            `warning: auditd runs but ${rules.total === 0 ? 'no audit rules are loaded' : `none of the ${rules.total} loaded audit rules is stowaway's`}: no process, mount or connect event will arrive. ` +
              'Load them: `stowaway audit-rules --install` (until reboot) or `stowaway audit-rules > /etc/audit/rules.d/stowaway.rules && augenrules --load`',
          );
      }
      // Sensor tamper and health: checked every 10 s, each new gap a finding of its own.
      const checkSensors = (): void => {
        const found = checkSources(sensor, Date.now(), rt.health().sources);
        if (found.length > 0) sink.findings(found, 'tick');
      };
      checkSensors();
      const sensorTimer = setInterval(checkSensors, 10_000);
      sensorTimer.unref();
      health.write();
      if (!status.some((s) => s.started)) {
        log('no live source available (see the reasons above). Run `stowaway demo` to replay the shipped scenarios and see a populated page.');
        if (!o.serve) {
          await rt.stop();
          health.stop();
          store.close();
          process.exitCode = 1;
          return;
        }
      }
      let srv: Awaited<ReturnType<typeof openPage>> | undefined;
      try {
        srv = o.serve ? await openPage(o, store, { coverage: coverageFrom(content), health: () => health.current(), responder }) : undefined;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        log(
          code === 'EADDRINUSE'
            ? `port ${o.port} on ${o.host} is in use (another stowaway?): choose another with --port N, or run without the page with --no-serve`
            : `the page could not start: ${errorMessage(e)}`,
        );
        await rt.stop();
        health.stop();
        store.close();
        // The failed listener's handles can keep the loop alive; nothing else is running yet.
        process.exit(2);
      }
      // Counters: one line every --counters seconds while running.
      const counters =
        countersS > 0
          ? setInterval(() => {
              const p = pipeline.stats();
              const st = rt.stats();
              log(
                `${st.events} events, ${p.findings} findings, ${p.created} alerts (${p.merged} merged, ${p.held_back} held back, ${p.excepted} excepted), ${st.diagnostics} diagnostics`,
              );
            }, countersS * 1000)
          : undefined;
      const hourly = setInterval(() => store.applyRetention(retention), 3_600_000);
      await untilSignal(async () => {
        clearInterval(counters);
        clearInterval(hourly);
        clearInterval(sensorTimer);
        await rt.stop();
        const drops = rt.health().sources.map((x) => ({ source: x.name, dropped: x.stats.dropped, errors: x.stats.errors }));
        for (const l of summaryLines((Date.now() - started) / 1000, rt.stats().events, pipeline.stats(), byRule, drops)) log(l);
        health.write();
        health.stop();
        await srv?.close();
        store.close();
      });
      // A stop asked for by a signal, after a clean shutdown, is a success.
      process.exitCode ??= 0;
    });
}
