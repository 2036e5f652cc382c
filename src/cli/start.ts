// `stowaway start` (what `npm start` runs): the runtime over this host's live sources, the
// content, and the alert path into the SQLite store, outputs and the page.
import type { Command } from 'commander';
import { formatDiagnostic } from '../model/diagnostic.js';
import { errorMessage } from '../model/errors.js';
import { openStore } from '../sinks/store/index.js';
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

type StartOptions = PageOptions & AlertCliOptions & ContentCliOptions & Record<string, unknown> & { serve: boolean };

export function register(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'Watch this host (Docker engine, Linux audit, Kubernetes audit webhook and Falco when given a port) with the built-in detections; alerts go to the SQLite store, the page and any outputs. Without a live source it says so and points to `stowaway demo`.',
    );
  responseOption(contentOptions(liveOptions(alertOptions(pageOptions(cmd)))))
    .option('--no-serve', 'do not serve the page')
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
      const sink = alertSink(pipeline, (created) => {
        for (const a of created) responder.onAlert(a).catch((e: unknown) => log(`respond: ${errorMessage(e)}`));
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
      const srv = o.serve ? await openPage(o, store, { coverage: coverageFrom(content), health: () => health.current(), responder }) : undefined;
      // Progress: one line a minute while running.
      const progress = setInterval(() => {
        const p = pipeline.stats();
        const st = rt.stats();
        log(
          `${st.events} events, ${p.findings} findings, ${p.created} alerts (${p.merged} merged, ${p.held_back} held back, ${p.excepted} excepted), ${st.diagnostics} diagnostics`,
        );
      }, 60_000);
      const hourly = setInterval(() => store.applyRetention(retention), 3_600_000);
      await untilSignal(async () => {
        clearInterval(progress);
        clearInterval(hourly);
        clearInterval(sensorTimer);
        await rt.stop();
        health.write();
        health.stop();
        await srv?.close();
        store.close();
      });
    });
}
