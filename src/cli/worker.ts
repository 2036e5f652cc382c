// `stowaway worker`: runs the engine over its share of the event stream's partitions, holding
// each by a lease; findings go to the STOWAWAY_ALERTS stream for `stowaway store`.
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { firstLine } from '../model/errors.js';
import { loadContent } from '../runtime/index.js';
import { createWorker } from '../fleet/index.js';
import { contentFrom, contentOptions, type ContentCliOptions } from './options.js';
import { durationMs, fleetConnectFrom, fleetOptions, type FleetCliOptions } from './fleet-options.js';

type WorkerCli = FleetCliOptions &
  ContentCliOptions & {
    id?: string;
    leaseTtl: string;
    checkpointEvery: string;
    checkpointEvents: string;
    eventTime?: boolean;
    statusEvery: string;
  };

export function register(program: Command): void {
  contentOptions(
    fleetOptions(
      program
        .command('worker')
        .description(
          'Run detection over the fleet: consume the partitions of STOWAWAY_EVENTS this worker holds a lease on, run the rules, correlations and analytics, publish findings to STOWAWAY_ALERTS; a partition whose worker dies is taken over from its checkpoint.',
        ),
    ),
  )
    .option('--id <id>', 'worker id, unique in the fleet (default: host name and process id)')
    .option('--lease-ttl <duration>', 'a dead worker’s partitions are taken over this long after its last renewal', '10s')
    .option('--checkpoint-every <duration>', 'checkpoint each partition at least this often', '5s')
    .option('--checkpoint-events <n>', '… and after this many events', '20000')
    .option('--event-time', 'move time on only with the events (recorded input): no wall-clock ticks; windows close on end-of-input markers')
    .option('--status-every <duration>', 'print the counters this often', '30s')
    .addHelpText(
      'after',
      '\nPartition state (correlation windows, analytic baselines) is checkpointed in the KV bucket stowaway-checkpoints. See docs/scale-out.md.',
    )
    .action(async (o: WorkerCli) => {
      const say = (l: string): boolean => process.stderr.write(l + '\n');
      let conn;
      let ttl: number;
      let every: number;
      let statusMs: number;
      try {
        conn = fleetConnectFrom(o);
        ttl = durationMs(o.leaseTtl, '--lease-ttl');
        every = durationMs(o.checkpointEvery, '--checkpoint-every');
        statusMs = durationMs(o.statusEvery, '--status-every');
      } catch (e) {
        say(`worker: ${firstLine(e)}`);
        process.exitCode = 2;
        return;
      }
      const content = await loadContent(contentFrom(o));
      const c = content.counts;
      const id = o.id ?? `${hostname()}-${process.pid}`;
      say(`worker ${id}: ${c.rules} rules, ${c.correlations} correlations, ${c.analytics} analytics; ${conn.partitions} partitions`);
      const worker = createWorker({
        ...conn,
        id,
        content,
        leaseTtlMs: ttl,
        checkpointEveryMs: every,
        checkpointEveryEvents: Number(o.checkpointEvents),
        wallClock: o.eventTime !== true,
        log: (l) => say(`worker ${id}: ${l}`),
      });
      await worker.start();
      const line = (): string => {
        const s = worker.stats();
        return `worker ${id}: partitions [${s.partitions.join(',')}] of ${conn.partitions} (${s.members} workers); ${s.events} events (${s.replayed} replayed), ${s.findings} findings (${s.suppressed} held back on replay), ${s.dead_letters} dead letters, ${s.checkpoints} checkpoints, ${s.takeovers} takeovers`;
      };
      const timer = setInterval(() => say(line()), statusMs);
      timer.unref();
      const stop = async (): Promise<void> => {
        clearInterval(timer);
        await worker.stop();
        say(line());
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
