// `stowaway demo`: the shipped scenarios replayed through the real engine and alert
// pipeline into the store, then the page — a populated triage page in one command.
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { openStore } from '../sinks/store/index.js';
import { createHealthReporter } from '../server/health.js';
import { countByCode, formatDiagnostic, type Diagnostic } from '../model/diagnostic.js';
import { createAlertPath, loadContent, replayScenarios } from '../runtime/index.js';
import { contentFrom, contentOptions, pageOptions, type ContentCliOptions, type PageOptions } from './options.js';
import { coverageFrom, openPage, untilSignal, userContentLine } from './page.js';

export const DEMO_PREFIX = 'demo-';

export function register(program: Command): void {
  contentOptions(
    pageOptions(
      program
        .command('demo')
        .description(
          'Replay the shipped attack and benign scenarios through the engine and alert pipeline into the store, then serve the page. Re-running replaces the previous demo alerts.',
        ),
    ),
  )
    .option('--exceptions <file...>', 'exception files besides <data-dir>/exceptions.yaml')
    .option('--no-serve', 'replay into the store and exit')
    .action(async (o: PageOptions & ContentCliOptions & { serve: boolean; exceptions?: string[] }) => {
      const log = (s: string): boolean => process.stderr.write(`${s}\n`);
      const store = openStore(o.dataDir);
      log(`stowaway demo: store ${store.path}`);
      // No store handle for analytics: replayed events must not become the live baselines.
      const content = await loadContent(contentFrom(o));
      const c = content.counts;
      log(`content: ${c.rules} rules from ${c.ruleFiles} files, ${c.correlations} correlations, ${c.analytics} analytics, ${c.refused} refused`);
      if (o.rules || o.placeholders) log(`added to the content: ${userContentLine(content, o)}`);
      if (content.catalogNote) log(`note: ${content.catalogNote}`);
      const removed = store.deleteByIdPrefix(DEMO_PREFIX);
      if (removed) log(`replacing ${removed} alerts from an earlier demo run`);
      const { pipeline } = createAlertPath(
        { dataDir: o.dataDir, ...(o.exceptions ? { exceptions: o.exceptions } : {}), newId: () => `${DEMO_PREFIX}${randomUUID()}` },
        store,
        content,
        (d) => log(formatDiagnostic(d)),
      );
      const src = { name: 'replay (shipped scenarios)', started: true, stats: { events: 0, errors: 0, dropped: 0, unattributed: 0 } };
      const diags: Diagnostic[] = [];
      const health = createHealthReporter(
        { mode: 'replay', sources: () => [src], pipeline: () => pipeline.stats(), diagnostics: () => Object.fromEntries(countByCode(diags)) },
        store,
      );
      const report = await replayScenarios(content, pipeline, {
        onScenario: (s, r) => {
          src.stats.events += r.events;
          log(`  ${s.strategy}/${s.name}: ${r.events} events → ${r.findings} findings → ${r.alerts} new alerts`);
        },
      });
      diags.push(...report.diagnostics);
      src.stats.errors = report.diagnostics.filter((d) => d.severity === 'error').length;
      health.write();
      health.stop();
      const st = pipeline.stats();
      log(
        `replayed ${report.scenarios} scenarios (${report.files} files, ${report.events} events, ${report.diagnostics.length} diagnostics): ${report.findings} findings → ${st.created} alerts (${st.merged} merged, ${st.held_back} held back, ${st.excepted} excepted)`,
      );
      await pipeline.close();
      if (!o.serve) {
        store.close();
        return;
      }
      const srv = await openPage(o, store, { coverage: coverageFrom(content) });
      log('Ctrl-C stops');
      await untilSignal(async () => {
        await srv.close();
        store.close();
      });
    });
}
