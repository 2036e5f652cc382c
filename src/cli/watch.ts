// `stowaway watch`: every live source this host offers (Docker socket, audit log,
// Kubernetes audit webhook and Falco receiver when given a port) through the engine,
// alerts as NDJSON on stdout; status lines, diagnostics and the summary on stderr.
import type { Command } from 'commander';
import { formatDiagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import type { SourceRecord } from '../sources/types.js';
import { startLiveSources, startLiveTicker, type LiveHandle, type LiveOptions } from '../sources/live.js';
import { receiverConfigError, type HttpReceiverOptions } from '../sources/http.js';

export interface WatchCliOptions {
  docker: boolean;
  dockerSocket?: string;
  stats: string;
  audit: boolean;
  auditLog?: string;
  k8sAuditPort?: string;
  k8sAuditHost?: string;
  k8sAuditToken?: string;
  falcoPort?: string;
  falcoHost?: string;
  falcoToken?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  maxSkew?: string;
  maxAge?: string;
  events?: boolean;
  content?: string;
  maxErrors: string;
}

/**
 * Source options from the command line; `start` registers the same flags with addLiveOptions.
 * Throws on a receiver configuration that would be unsafe or silently not what was asked
 * (a certificate without its key, an empty token, a public address without a token).
 */
export function liveOptionsFrom(o: WatchCliOptions): LiveOptions {
  if (!o.tlsCert !== !o.tlsKey) throw new Error('--tls-cert and --tls-key go together');
  if (o.tlsClientCa && !o.tlsCert) throw new Error('--tls-client-ca needs --tls-cert and --tls-key');
  const tls = o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey, ca: o.tlsClientCa } : undefined;
  const seconds = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: '${v}' is not a number of seconds`);
    return n * 1000;
  };
  const maxFutureSkewMs = seconds(o.maxSkew, '--max-skew');
  const maxPastSkewMs = seconds(o.maxAge, '--max-age');
  const http = (name: string, port: string | undefined, host: string | undefined, token: string | undefined): HttpReceiverOptions | undefined => {
    if (!port) return undefined;
    const opts: HttpReceiverOptions = { port: Number(port), host, token, tls, maxFutureSkewMs, maxPastSkewMs };
    const bad = receiverConfigError(name, opts);
    if (bad) throw new Error(bad);
    return opts;
  };
  return {
    docker: o.docker === false ? false : { socketPath: o.dockerSocket, statsIntervalMs: Math.max(0, Number(o.stats) * 1000) },
    audit: o.audit === false ? false : { path: o.auditLog },
    k8sWebhook: http('k8s-audit', o.k8sAuditPort, o.k8sAuditHost, o.k8sAuditToken ?? process.env.STOWAWAY_K8S_AUDIT_TOKEN),
    falco: http('falco', o.falcoPort, o.falcoHost, o.falcoToken ?? process.env.STOWAWAY_FALCO_TOKEN),
  };
}

/** Registers the source flags on a command (`watch`, `start`). */
export function addLiveOptions(cmd: Command): Command {
  return cmd
    .option('--no-docker', 'do not read the Docker engine')
    .option('--docker-socket <path>', 'Docker engine socket', '/var/run/docker.sock')
    .option('--stats <seconds>', 'container stats sampling interval; 0 turns stats off', '30')
    .option('--no-audit', 'do not follow the Linux audit log')
    .option('--audit-log <path>', 'audit log to follow (rotation is followed)', '/var/log/audit/audit.log')
    .option('--k8s-audit-port <port>', 'listen for the Kubernetes API server audit webhook (EventList POSTs) on this port')
    .option('--k8s-audit-host <host>', 'address the audit webhook listens on; any but loopback needs a token or --tls-client-ca', '127.0.0.1')
    .option('--k8s-audit-token <token>', 'bearer token the webhook requires (or STOWAWAY_K8S_AUDIT_TOKEN)')
    .option('--falco-port <port>', "listen for Falco's http_output on this port")
    .option('--falco-host <host>', 'address the Falco receiver listens on; any but loopback needs a token or --tls-client-ca', '127.0.0.1')
    .option('--falco-token <token>', 'bearer token the Falco receiver requires (or STOWAWAY_FALCO_TOKEN)')
    .option('--tls-cert <file>', 'serve the webhook and Falco receivers over HTTPS with this certificate')
    .option('--tls-key <file>', 'private key for --tls-cert (both or neither)')
    .option('--tls-client-ca <file>', 'require client certificates signed by this CA on the receivers (mutual TLS)')
    .option('--max-skew <seconds>', 'pushed events dated further ahead of this host\'s clock get its time (counted; the given time kept)', '300')
    .option('--max-age <seconds>', 'pushed events dated further behind this host\'s clock get its time (counted; the given time kept)', '86400');
}

/**
 * Starts the live sources, reports one status line per source through `say`, and hands
 * every record to `onRecord`. The caller owns what happens to events; stop() ends it.
 */
export async function runWatch(live: LiveOptions, onRecord: (r: SourceRecord) => void, say: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<LiveHandle> {
  const h = await startLiveSources(live, onRecord);
  for (const s of h.status) say(s.line);
  return h;
}

interface EngineLike {
  process(e: StowawayEvent): unknown[];
  flush(): unknown[];
  tick?(nowMs?: number, sourcesWatermarkMs?: number): unknown[];
}
interface PipelineLike {
  process(f: readonly unknown[]): { created: unknown[] };
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}

// The engine and the alert pipeline are their own components; watch runs without them
// (printing events) rather than not at all.
async function loadDetection(contentDir: string | undefined, say: (l: string) => void): Promise<{ engine: EngineLike; pipeline: PipelineLike } | undefined> {
  try {
    const rt = (await import('../alerts/runtime.js')) as typeof import('../alerts/runtime.js');
    const pl = (await import('../alerts/pipeline.js')) as typeof import('../alerts/pipeline.js');
    const sinks = (await import('../sinks/index.js')) as typeof import('../sinks/index.js');
    const content = await rt.loadContent({ contentDir });
    const pipeline = pl.createAlertPipeline({ catalog: content.catalog, outputs: sinks.createOutputs({ stdout: 'alert' }) });
    say(`engine: ${content.counts.rules} rules, ${content.counts.correlations} correlations, ${content.counts.analytics} analytics from ${content.contentDir}${content.counts.refused ? ` (${content.counts.refused} refused)` : ''}`);
    return { engine: content.engine() as unknown as EngineLike, pipeline: pipeline as unknown as PipelineLike };
  } catch (e) {
    say(`engine: not started (${(e as Error).message.split('\n')[0]}); printing events instead`);
    return undefined;
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('watch')
    .description('Watch this host live: Docker engine events and stats, Linux audit (processes attributed to containers), Kubernetes audit webhook and Falco when given a port; alerts as NDJSON on stdout');
  addLiveOptions(cmd)
    .option('--events', 'print every normalized event as NDJSON on stdout instead of alerts (alerts then go to stderr as one line each)')
    .option('--content <dir>', 'detection content directory (default: the shipped content/)')
    .option('--max-errors <n>', 'print at most this many source diagnostics (all are counted)', '100')
    .addHelpText(
      'after',
      '\nstderr: one status line per source (started, or not started and why), diagnostics, and a summary on exit (Ctrl-C).\n' +
        'Audit events need the audit rules: stowaway audit-rules --install.',
    )
    .action(async (o: WatchCliOptions) => {
      const say = (l: string) => process.stderr.write(l + '\n');
      let live: LiveOptions;
      try {
        live = liveOptionsFrom(o);
      } catch (e) {
        say(`watch: ${(e as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const det = await loadDetection(o.content, say);
      const printEvents = o.events || !det;
      const maxErrors = Number(o.maxErrors);
      let events = 0;
      let diags = 0;
      let alerts = 0;
      const onRecord = (r: SourceRecord) => {
        if ('diagnostic' in r) {
          if (diags++ < maxErrors) say(formatDiagnostic(r.diagnostic));
          return;
        }
        events++;
        if (printEvents) process.stdout.write(JSON.stringify(r.event) + '\n');
        if (!det) return;
        const findings = det.engine.process(r.event);
        if (findings.length === 0) return;
        const res = det.pipeline.process(findings);
        alerts += res.created.length;
        if (o.events) for (const a of res.created as Array<{ level: string; summary: string }>) say(`alert ${a.level}: ${a.summary}`);
      };
      const h = await runWatch(live, onRecord, say);
      // Event time moves on as far as the sources are complete, so held-back correlations come out at once, on a quiet host too.
      const stopTicker = startLiveTicker(() => {
        const held = det?.engine.tick?.(Date.now(), h.watermark()) ?? [];
        if (held.length > 0) alerts += det!.pipeline.process(held).created.length;
      });
      if (h.sources.length === 0) {
        say('watch: no source could start; nothing to watch');
        process.exitCode = 1;
        return;
      }
      const stop = async () => {
        stopTicker();
        await h.stop();
        if (det) {
          const rest = det.engine.flush();
          if (rest.length) alerts += det.pipeline.process(rest).created.length;
          await det.pipeline.close();
        }
        const per = h.sources.map((s) => {
          const st = s.stats();
          return `${s.name} ${st.events} events ${st.errors} errors${st.unattributed ? ` ${st.unattributed} unattributed` : ''}`;
        });
        say(`watch: ${events} events, ${alerts} alerts, ${diags} diagnostics (${per.join('; ')})`);
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
