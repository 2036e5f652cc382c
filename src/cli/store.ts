// `stowaway store`: the fleet's findings (STOWAWAY_ALERTS) through the alert pipeline into the
// SQLite store, and the page over it, as `start` does on one host.
import type { Command } from 'commander';
import { formatDiagnostic } from '../model/diagnostic.js';
import { firstLine } from '../model/errors.js';
import { openStore } from '../sinks/store/index.js';
import { createHealthReporter } from '../server/health.js';
import { createAlertPath, loadContent } from '../runtime/index.js';
import { createCollector, fleetIds } from '../fleet/index.js';
import { alertOptions, alertPathFrom, pageOptions, type AlertCliOptions, type PageOptions } from './options.js';
import { fleetConnectFrom, fleetOptions, type FleetCliOptions } from './fleet-options.js';
import { coverageFrom, openPage, untilSignal } from './page.js';

type StoreCli = FleetCliOptions & AlertCliOptions & PageOptions & { serve: boolean; content?: string; untilIdle?: boolean };

export function register(program: Command): void {
  alertOptions(
    pageOptions(
      fleetOptions(
        program
          .command('store')
          .description(
            "Store the fleet's findings: read STOWAWAY_ALERTS (what `stowaway worker` publishes) through the alert pipeline (exceptions, dedup, rate limit) into the SQLite store, and serve the page over it, as `start` does on one host.",
          ),
      ),
    ),
  )
    .option('--content <dir>', 'content directory for the ADS catalog and coverage (default: the built-in content)')
    .option('--no-serve', 'store only, no page')
    .option('--until-idle', 'exit once every finding on the stream is stored')
    .addHelpText('after', '\nA finding is acknowledged after the store committed it; one delivered again is recognised by its id. See docs/scale-out.md.')
    .action(async (o: StoreCli) => {
      const say = (l: string): boolean => process.stderr.write(l + '\n');
      let conn;
      let path;
      try {
        conn = fleetConnectFrom(o);
        path = alertPathFrom(o);
      } catch (e) {
        say(`store: ${firstLine(e)}`);
        process.exitCode = 2;
        return;
      }
      const store = openStore(o.dataDir);
      const content = await loadContent({ ...(o.content ? { contentDir: o.content } : {}), analytics: false });
      const { ids, newId } = fleetIds();
      const { pipeline, outputs } = createAlertPath({ ...path, newId }, store, content, (d) => say(formatDiagnostic(d)));
      const collector = createCollector({ ...conn, store, pipeline, ids, log: say });
      await collector.start();
      const fleet = { name: 'fleet (STOWAWAY_ALERTS)', started: true, stats: { events: 0, errors: 0, dropped: 0, unattributed: 0 } };
      const health = createHealthReporter(
        {
          mode: 'live',
          sources: () => {
            const s = collector.stats();
            fleet.stats.events = s.received;
            fleet.stats.errors = s.malformed;
            return [fleet];
          },
          pipeline: () => pipeline.stats(),
          outputs,
          // Dead letters show where diagnostics do: the page's health view and /metrics.
          diagnostics: () => Object.fromEntries(Object.entries(collector.stats().dead_letters_by_reason).map(([r, n]) => [`dead-letter.${r}`, n])),
        },
        store,
      );
      say(`store: ${store.path}; reading STOWAWAY_ALERTS from ${String(conn.servers)}`);
      const summary = (): string => {
        const s = collector.stats();
        const p = pipeline.stats();
        return `store: ${s.received} findings received (${s.duplicates} repeats dropped) → ${p.created} alerts (${p.merged} merged, ${p.held_back} held back, ${p.excepted} excepted); ${s.dead_letters} dead letters`;
      };
      if (o.untilIdle) {
        await collector.idle();
        health.write();
        health.stop();
        say(summary());
        await collector.stop();
        await pipeline.close();
        store.close();
        return;
      }
      const srv = o.serve ? await openPage(o, store, { coverage: coverageFrom(content), health: () => health.current() }) : undefined;
      await untilSignal(async () => {
        health.write();
        health.stop();
        say(summary());
        await srv?.close();
        await collector.stop();
        await pipeline.close();
        store.close();
      });
    });
}
