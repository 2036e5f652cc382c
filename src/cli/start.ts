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
  pageOptions,
  responseOption,
  retentionFrom,
  type AlertCliOptions,
  type ContentCliOptions,
  type PageOptions,
} from './options.js';
import { coverageFrom, openPage, untilSignal, userContentLine } from './page.js';
import { responderFor } from './responder.js';

type StartOptions = PageOptions & AlertCliOptions & ContentCliOptions & Record<string, unknown> & { serve: boolean };

export function register(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'Watch this host (Docker engine, Linux audit, Kubernetes audit webhook and Falco when given a port) with the built-in detections; alerts go to the SQLite store, the page and any outputs. Without a live source it says so and points to `stowaway demo`.',
    );
  responseOption(contentOptions(liveOptions(alertOptions(pageOptions(cmd)))))
    .option('--no-serve', 'do not serve the page')
    .action(async (o: StartOptions) => {
      const log = (s: string): boolean => process.stderr.write(`stowaway: ${s}\n`);
      const sources = liveOptionsFrom(o);
      const alertPath = alertPathFrom(o);
      const retention = retentionFrom(o);
      const store = openStore(o.dataDir);
      const r = store.applyRetention(retention);
      log(`store ${store.path} (${(r.bytes / 1e6).toFixed(1)} MB${r.deleted ? `, ${r.deleted} alerts past retention deleted` : ''})`);
      const content = await loadContent({ ...contentFrom(o), db: store.db });
      const c = content.counts;
      log(`content: ${c.rules} rules, ${c.correlations} correlations, ${c.analytics} analytics from ${content.contentDir}${c.refused ? ` (${c.refused} refused: see \`stowaway rules check\`)` : ''}`);
      if (o.rules || o.placeholders) log(`added to the content: ${userContentLine(content, o)}`);
      if (content.catalogNote) log(content.catalogNote);
      const { pipeline, outputs } = createAlertPath(alertPath, store, content, (d) => log(formatDiagnostic(d)));
      const responder = await responderFor(o, store, log);
      // Containment: in auto mode the policy's actions run for each new alert (off and suggest: nothing).
      const sink = alertSink(pipeline, (created) => {
        for (const a of created) responder.onAlert(a).catch((e: unknown) => log(`respond: ${errorMessage(e)}`));
      });
      // Findings are committed in small batches: one transaction (one fsync) per tick, not per finding.
      const rt = createRuntime({ content, sources, sinks: [sink], batch: true });
      const health = createHealthReporter(
        {
          mode: 'live',
          sources: () => rt.health().sources,
          pipeline: () => pipeline.stats(),
          engine: () => ({ ...rt.health().engine }),
          outputs,
          diagnostics: () => rt.health().diagnostics,
        },
        store,
      );
      const status = await rt.start();
      for (const s of status) log(`source ${s.line}`);
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
        log(`${st.events} events, ${p.findings} findings, ${p.created} alerts (${p.merged} merged, ${p.held_back} held back, ${p.excepted} excepted), ${st.diagnostics} diagnostics`);
      }, 60_000);
      const hourly = setInterval(() => store.applyRetention(retention), 3_600_000);
      await untilSignal(async () => {
        clearInterval(progress);
        clearInterval(hourly);
        await rt.stop();
        health.write();
        health.stop();
        await srv?.close();
        store.close();
      });
    });
}
