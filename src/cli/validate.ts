// `stowaway validate`: every shipped scenario replayed through the engine (or, with --live,
// emulated for real against Docker and Linux audit), judged against what it expects.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDiagnostic } from '../model/diagnostic.js';
import { contentPlaceholdersPath, contentRulePaths, defaultStrategiesDir, loadStrategies } from '../ads/index.js';
import { formatValidationTable, runValidation } from '../emulate/replay.js';

interface ValidateCliOptions {
  content?: string;
  analytics?: string;
  placeholders?: string[];
  rules?: string[];
  strategy?: string[];
  json?: boolean;
  live?: boolean;
  maxWait?: string;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Replay every scenario of the shipped detection strategies (recorded Docker events + inspect, Linux audit, Kubernetes audit, Windows and Zeek telemetry) through the same readers and engine `watch` uses, with the strategies\' rules and the shipped analytics loaded, and check that positive scenarios fire their expected rules and benign ones keep them quiet. With --live, run the strategies\' emulations for real against the local Docker engine and Linux audit instead.',
    )
    .option('--content <dir>', 'strategies folder (default: the shipped content/strategies)')
    .option('--analytics <dir>', 'analytics definitions run beside the rules, fresh for each scenario (default: content/analytics beside the strategies folder)')
    .option('--placeholders <file...>', 'placeholder files layered over <content>/placeholders.yml: lists add, { replace: [...] } replaces (docs/tuning.md)')
    .option('--rules <path...>', 'rule files or folders added to the strategies\' rules')
    .option('--strategy <id...>', 'only these strategies (ADS id, e.g. ADS-0003)')
    .option('--json', 'print the results as JSON')
    .option('--live', 'run the emulations (emulation.yml) against the real Docker engine and Linux audit; needs root')
    .option('--max-wait <seconds>', 'with --live: upper bound for each wait for alerts')
    .addHelpText('after', '\nExit status: 0 when every scenario passed; 1 on any miss, false alarm, unreadable scenario, or a scenario/rule file that could not be loaded; 2 when validation could not run (e.g. live validation not available).')
    .action(async (opts: ValidateCliOptions) => {
      process.exitCode = opts.live ? await validateLive(opts) : await validateReplay(opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

export async function validateReplay(opts: ValidateCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const content = resolve(opts.content ?? defaultStrategiesDir());
  const { catalog, diagnostics: cd } = await loadStrategies(content);
  const builtin = contentPlaceholdersPath(content);
  const placeholders = [...(existsSync(builtin) ? [builtin] : []), ...(opts.placeholders ?? [])];
  const rules = [...(await contentRulePaths(content)), ...(opts.rules ?? [])];
  const analytics = opts.analytics ?? join(content, '..', 'analytics');
  if (rules.length === 0) {
    err(`validate: no strategy with a rules folder under ${content}\n`);
    return 2;
  }
  const byStrategy = new Map(catalog.strategies().map((s) => [s.id!, s.rules]));
  const report = await runValidation({
    content,
    rules,
    placeholders,
    strategyRules: (id) => byStrategy.get(id) ?? [],
    ...(opts.strategy ? { strategies: opts.strategy } : {}),
    ...(existsSync(analytics) ? { analytics } : {}),
  });
  for (const d of [...cd, ...report.diagnostics]) err(formatDiagnostic(d) + '\n');
  if (opts.json) {
    out(
      JSON.stringify(
        report.results.map((r) => ({
          strategy: r.scenario.strategy,
          scenario: r.scenario.name,
          kind: r.scenario.kind,
          expected: r.scenario.kind === 'positive' ? r.scenario.fire : r.scenario.quiet,
          fired: Object.fromEntries(r.fired),
          missing: r.missing,
          unexpected: r.unexpected,
          events: r.events,
          input_errors: r.inputDiagnostics.length,
          verdict: r.verdict,
        })),
        null,
        2,
      ) + '\n',
    );
  } else out(formatValidationTable(report.results) + '\n');
  for (const r of report.results) for (const d of r.inputDiagnostics) err(`${r.scenario.name}: ${formatDiagnostic(d)}\n`);
  const failed = report.results.filter((r) => r.verdict !== 'pass').length;
  // A scenario or rule that could not be loaded is content nobody verified: that fails too.
  const broken = [...cd, ...report.diagnostics].filter((d) => d.severity === 'error').length;
  err(
    `validate: ${report.results.length} scenarios, ${report.results.length - failed} passed, ${failed} failed; ` +
      `${report.rulesLoaded} rules and ${report.correlations} correlations loaded${broken ? `; ${broken} content error(s)` : ''}\n`,
  );
  if (report.results.length === 0) return 1;
  return failed > 0 || broken > 0 ? 1 : 0;
}

async function validateLive(opts: ValidateCliOptions): Promise<number> {
  type LiveModule = typeof import('../emulate/live/index.js');
  let live: LiveModule;
  try {
    live = (await import('../emulate/live/index.js'));
  } catch (e) {
    process.stderr.write(`validate: live validation not available (${(e as Error).message.split('\n')[0]})\n`);
    return 2;
  }
  if (typeof live.runLiveValidation !== 'function') {
    process.stderr.write('validate: live validation not available\n');
    return 2;
  }
  const content = opts.content ? resolve(opts.content) : join(defaultStrategiesDir());
  const report = await live.runLiveValidation({
    content,
    ...(opts.strategy ? { strategies: opts.strategy } : {}),
    ...(opts.maxWait ? { maxWaitS: Number(opts.maxWait) } : {}),
    log: (line: string) => process.stderr.write(line + '\n'),
  });
  process.stdout.write(live.renderLiveReport(report, opts.json ? 'json' : 'table') + '\n');
  if (report.fatal) return 2;
  return report.ok ? 0 : 1;
}
