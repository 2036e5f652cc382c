// `stowaway watch`: the runtime over every live source this host offers (Docker socket, audit
// log, Kubernetes audit webhook and Falco receiver when given a port), alerts as NDJSON on
// stdout; status lines, diagnostics and the summary on stderr.
import type { Command } from 'commander';
import { formatDiagnostic } from '../model/diagnostic.js';
import { firstLine } from '../model/errors.js';
import type { SourceRecord } from '../sources/types.js';
import type { FlagValues } from '../sources/descriptors.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { createOutputs } from '../sinks/index.js';
import { alertSink, createRuntime, loadContent, type Content, type FindingSink } from '../runtime/index.js';
import { contentFrom, contentOptions, liveOptions, liveOptionsFrom, type ContentCliOptions } from './options.js';
import { userContentLine } from './page.js';
import { SensorWatch, checkSources, withSensorRules } from '../alerts/sensor.js';
import { hostname } from 'node:os';

type WatchOptions = ContentCliOptions & FlagValues & { events?: boolean; maxErrors: string };

export function register(program: Command): void {
  const cmd = program
    .command('watch')
    .description(
      'Watch this host live: Docker engine events and stats, Linux audit (processes attributed to containers), Kubernetes audit webhook and Falco when given a port; alerts as NDJSON on stdout',
    );
  contentOptions(liveOptions(cmd))
    .option('--events', 'print every normalized event as NDJSON on stdout instead of alerts (alerts then go to stderr as one line each)')
    .option('--max-errors <n>', 'print at most this many source diagnostics (all are counted)', '100')
    .addHelpText(
      'after',
      '\nstderr: one status line per source (started, or not started and why), diagnostics, and a summary on exit (Ctrl-C).\n' +
        'Audit events need the audit rules: stowaway audit-rules --install.',
    )
    .action(async (o: WatchOptions) => {
      const say = (l: string): boolean => process.stderr.write(l + '\n');
      let sources;
      try {
        sources = liveOptionsFrom(o);
      } catch (e) {
        say(`watch: ${firstLine(e)}`);
        process.exitCode = 2;
        return;
      }
      // Detection is its own component: watch runs without it (printing events) rather than not at all.
      let content: Content | undefined;
      try {
        content = await loadContent(contentFrom(o));
        say(
          `engine: ${content.counts.rules} rules, ${content.counts.correlations} correlations, ${content.counts.analytics} analytics from ${content.contentDir}${content.counts.refused ? ` (${content.counts.refused} refused)` : ''}`,
        );
        if (o.rules || o.placeholders) say(`engine: added to the content: ${userContentLine(content, o)}`);
      } catch (e) {
        say(`engine: not started (${firstLine(e)}); printing events instead`);
      }
      const printEvents = o.events === true || !content;
      const maxErrors = Number(o.maxErrors);
      let diags = 0;
      let alerts = 0;
      const onRecord = (r: SourceRecord): void => {
        if ('diagnostic' in r) {
          if (diags++ < maxErrors) say(formatDiagnostic(r.diagnostic));
          return;
        }
        if (printEvents) process.stdout.write(JSON.stringify(r.event) + '\n');
      };
      const sinks: FindingSink[] = [];
      if (content) {
        // with --events stdout carries events only; alerts are the one-line notes on stderr
        // Sensor tamper and health alerts (ADS-0002) come out like the rules' alerts.
        const pipeline = createAlertPipeline({
          catalog: withSensorRules(content.catalog),
          outputs: createOutputs(o.events === true ? {} : { stdout: 'alert' }),
        });
        sinks.push(
          alertSink(pipeline, (created) => {
            alerts += created.length;
            if (o.events) for (const a of created) say(`alert ${a.level}: ${a.summary}`);
          }),
        );
      }
      const rt = createRuntime({ ...(content ? { content } : {}), sources, sinks, onRecord });
      await rt.start();
      const h = rt.sources()!;
      for (const s of h.status) say(s.line);
      if (h.sources.length === 0) {
        say('watch: no source could start; nothing to watch');
        await rt.stop();
        process.exitCode = 1;
        return;
      }
      // Sensor tamper and health: a source that stops, falls silent or behind, loses events, or
      // whose audit rules are removed is an alert, checked every 10 s.
      const sensor = new SensorWatch({ host: hostname() });
      const sensorTimer = setInterval(() => {
        const found = checkSources(sensor, Date.now(), rt.health().sources);
        if (found.length > 0) for (const s of sinks) s.findings(found, 'tick');
      }, 10_000);
      sensorTimer.unref();
      const stop = async (): Promise<void> => {
        clearInterval(sensorTimer);
        await rt.stop();
        const per = h.sources.map((s) => {
          const st = s.stats();
          return `${s.name} ${st.events} events ${st.errors} errors${st.unattributed ? ` ${st.unattributed} unattributed` : ''}`;
        });
        say(`watch: ${rt.stats().events} events, ${alerts} alerts, ${diags} diagnostics (${per.join('; ')})`);
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
