// `stowaway sensor`: this host's live sources (the flags of `start` and `watch`), normalized and
// published to the fleet's events stream; no rules run here. `--from-file` publishes recorded
// files instead. While NATS is unreachable events wait in a bounded disk spool.
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../model/diagnostic.js';
import { errorMessage, firstLine } from '../model/errors.js';
import type { FlagValues } from '../sources/descriptors.js';
import { existsSync } from 'node:fs';
import { readEventFile } from '../sources/files.js';
import { createRuntime } from '../runtime/index.js';
import { createSensor, sha, type Sensor } from '../fleet/index.js';
import { liveOptions, liveOptionsFrom } from './options.js';
import { durationMs, fleetConnectFrom, fleetOptions, sizeBytes, type FleetCliOptions } from './fleet-options.js';

type SensorCli = FleetCliOptions &
  FlagValues & {
    name?: string;
    fromFile?: string[];
    format?: string;
    end?: boolean;
    spoolDir: string;
    spoolMax: string;
    statusEvery: string;
  };

export function register(program: Command): void {
  const cmd = program
    .command('sensor')
    .description(
      "Publish this host's live sources (Docker, Linux audit, Kubernetes audit, Falco), normalized, to the NATS JetStream stream STOWAWAY_EVENTS for `stowaway worker`; no rules run on the sensor. Spools to disk while NATS is unreachable.",
    );
  fleetOptions(liveOptions(cmd))
    .option('--name <host>', 'host name in the subjects and on events without one (default: this host name)')
    .option('--from-file <file...>', 'publish recorded files (any supported format) instead of the live sources, then exit')
    .option('--format <format>', 'format of the --from-file files (default: detected)')
    .option('--end', 'after the files (or alone), mark the end of input on every partition: workers close every window, as a replay does')
    .option('--spool-dir <dir>', 'where events wait while NATS is unreachable', './data/spool')
    .option('--spool-max <size>', 'spool size cap; beyond it new events are dropped and counted', '256MB')
    .option('--status-every <duration>', 'print the counters this often (live mode)', '30s')
    .addHelpText(
      'after',
      '\nSubjects: stowaway.events.p<partition>.<host>.<source>; the partition is the host (else pod, container, namespace) hashed. See docs/scale-out.md.',
    )
    .action(async (o: SensorCli) => {
      const say = (l: string): boolean => process.stderr.write(l + '\n');
      let conn;
      try {
        conn = fleetConnectFrom(o);
      } catch (e) {
        say(`sensor: ${firstLine(e)}`);
        process.exitCode = 2;
        return;
      }
      // Exit codes as scan's: 4 a file not found (named; the others are still published), 3 a file of which no event was read.
      const missing = (o.fromFile ?? []).filter((f) => !existsSync(f));
      for (const f of missing) say(`sensor: input file not found: ${f}`);
      const files = (o.fromFile ?? []).filter((f) => !missing.includes(f));
      if (missing.length) process.exitCode = 4;
      if (o.fromFile && files.length === 0 && !o.end) return;
      const host = o.name ?? hostname();
      const sensor = createSensor({ ...conn, host, spoolDir: resolve(o.spoolDir), spoolMaxBytes: sizeBytes(o.spoolMax, '--spool-max'), log: say });
      const line = (s: Sensor): string => {
        const st = s.stats();
        return `sensor ${host}: ${st.events} events, ${st.acked} acknowledged (${st.duplicates} repeats dropped by the stream), spool ${st.spool.spooled} in / ${st.spool.delivered} delivered / ${st.spool.dropped} dropped, ${st.spool.bytes} bytes now`;
      };
      if (o.fromFile || o.end) {
        // A file is read at once: give NATS a moment to answer rather than spool it all.
        await sensor.connected(5000);
        let diags = 0;
        for (const f of files) {
          const tag = sha(resolve(f)).slice(0, 12);
          let i = 0;
          try {
            for await (const r of readEventFile(f, o.format ? { format: o.format as never } : {})) {
              if ('diagnostic' in r) {
                if (diags++ < 100) say(formatDiagnostic(r.diagnostic));
                continue;
              }
              i++;
              const ev = r.event;
              ev.host ??= { name: host };
              // A file published twice is the same events: the stream drops the repeats by id.
              ev.event.id ??= `${host}:${tag}:${i}`;
              sensor.publish(ev, ev.stowaway?.source ?? 'file');
              if (i % 500 === 0) await sensor.ready();
            }
          } catch (e) {
            say(`sensor: ${f}: ${errorMessage(e)}`);
            process.exitCode = 1;
          }
          say(`sensor: ${f}: ${i} events`);
          if (i === 0) {
            say(`sensor: ${f}: no event read (every record refused, or an empty file)`);
            process.exitCode ??= 3;
          }
        }
        if (o.end) sensor.end();
        await sensor.settled();
        say(line(sensor));
        await sensor.close();
        return;
      }
      const rt = createRuntime({
        sources: liveOptionsFrom(o),
        sinks: [],
        onRecord: (r) => {
          if ('diagnostic' in r) say(formatDiagnostic(r.diagnostic));
          else {
            r.event.host ??= { name: host };
            sensor.publish(r.event, r.event.stowaway?.source ?? 'unknown');
          }
        },
      });
      const status = await rt.start();
      for (const s of status) say(s.line);
      if (!status.some((s) => s.started)) {
        say('sensor: no source could start; nothing to publish');
        await rt.stop();
        await sensor.close();
        process.exitCode = 1;
        return;
      }
      const timer = setInterval(() => say(line(sensor)), durationMs(o.statusEvery, '--status-every'));
      timer.unref();
      const stop = async (): Promise<void> => {
        clearInterval(timer);
        await rt.stop();
        say(line(sensor));
        await sensor.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
