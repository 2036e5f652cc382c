// `stowaway validate`: every shipped scenario replayed through the engine (or, with --live,
// emulated for real against Docker and Linux audit), judged against what it expects.
import type { Command } from 'commander';
import { outputFormat, type OutputFormat } from './options.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatDiagnostic } from '../model/diagnostic.js';
import { defaultStrategiesDir, loadStrategies } from '../ads/index.js';
import { resolveRulePaths } from '../runtime/index.js';
import { formatValidationTable, runValidation, type ScenarioResult } from '../emulate/replay.js';
import { allVariants, type Variant } from '../emulate/variants/index.js';
import { formatRuleFigures, formatStrategyFigures, formatVariantReport, replayVariants, summarize, type VariantResult } from '../emulate/variants/replay.js';
import { strategyRuleIds } from '../emulate/live/load.js';
import { tmpdir } from 'node:os';
import { openStore, type Store } from '../sinks/store/index.js';
import { createResponder, policyFor } from '../respond/index.js';
import { respondToFindings } from '../respond/findings.js';
import type { Finding } from '../model/alert.js';
import type { ResponseRecord } from '../model/response.js';

interface ValidateCliOptions {
  content?: string;
  analytics?: string;
  placeholders?: string[];
  rules?: string[];
  strategy?: string[];
  json?: boolean;
  format?: OutputFormat;
  live?: boolean;
  maxWait?: string;
  variants?: boolean;
  record?: boolean;
  variant?: string[];
  respond?: string;
  dataDir?: string;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      "Replay every scenario of the shipped detection strategies (recorded Docker events + inspect, Linux audit, Kubernetes audit, Windows and Zeek telemetry) through the same readers and engine `watch` uses, with the strategies' rules and the shipped analytics loaded, and check that positive scenarios fire their expected rules and benign ones keep them quiet. With --live, run the strategies' emulations for real against the local Docker engine and Linux audit instead.",
    )
    .option('--content <dir>', 'strategies folder (default: the shipped content/strategies)')
    .option(
      '--analytics <dir>',
      'analytics definitions run beside the rules, fresh for each scenario (default: content/analytics beside the strategies folder)',
    )
    .option('--placeholders <file...>', 'placeholder files layered over <content>/placeholders.yml: lists add, { replace: [...] } replaces (docs/tuning.md)')
    .option('--rules <path...>', "rule files or folders added to the strategies' rules")
    .option('--strategy <id...>', 'only these strategies (ADS id, e.g. ADS-0003)')
    .option('--json', 'print the results as JSON')
    .option('--format <format>', 'table or json (the same as --json)', outputFormat)
    .option('--live', 'run the emulations (emulation.yml) against the real Docker engine and Linux audit; needs root')
    .option('--max-wait <seconds>', 'with --live: upper bound for each wait for alerts')
    .option(
      '--variants',
      'validate the generated variants (other spellings of each technique, and ordinary workloads) instead of the scenarios: per variant, per strategy (positives detected, benign quiet) and per rule (variants detected, benign alerts)',
    )
    .option('--variant <id...>', 'with --variants: only these variant ids')
    .option(
      '--record',
      "with --live --variants: write each variant's telemetry (Docker events + inspect, audit lines) and scenario to <strategy>/variants/, the set --variants replays",
    )
    .option(
      '--respond <policy>',
      'with --live: containment under this response policy file (docs/response.md); in mode auto its actions run on the findings, and the report times them',
    )
    .option(
      '--data-dir <dir>',
      'with --respond: where the answered alerts, their audit trail and evidence go (default: a new directory under the system temp dir)',
    )
    .addHelpText(
      'after',
      '\nExit status: 0 when every scenario passed; 1 on any miss, false alarm, unreadable scenario, or a scenario/rule file that could not be loaded; 2 when validation could not run (e.g. live validation not available).',
    )
    .action(async (opts: ValidateCliOptions) => {
      const out = (s: string): boolean => process.stdout.write(s);
      const err = (s: string): boolean => process.stderr.write(s);
      if (opts.record && !(opts.live && opts.variants)) {
        err('validate: --record needs --live --variants\n');
        process.exitCode = 2;
        return;
      }
      if (opts.format === 'json') opts.json = true;
      if (opts.strategy) {
        const c = resolve(opts.content ?? defaultStrategiesDir());
        const { catalog } = await loadStrategies(existsSync(join(c, 'strategies')) ? join(c, 'strategies') : c);
        const known = catalog.strategies().flatMap((s) => (s.id ? [s.id] : []));
        const unknown = opts.strategy.filter((id) => !known.includes(id));
        if (unknown.length > 0) {
          err(`validate: unknown strategy ${unknown.join(', ')}; known: ${known.join(', ') || `none under ${c}`}\n`);
          process.exitCode = 2;
          return;
        }
      }
      process.exitCode = opts.variants
        ? opts.live
          ? await validateVariantsLive(opts, out, err)
          : await validateVariantsReplay(opts, out, err)
        : opts.live
          ? await validateLive(opts)
          : await validateReplay(opts, out, err);
    });
}

/**
 * The strategies' rule folders and placeholders.yml as `scan -r` and `start` read them
 * (resolveRulePaths), then the user's; no strategy folder, no strategy rules.
 */
function contentPaths(content: string, opts: Pick<ValidateCliOptions, 'rules' | 'placeholders'>): { rules: string[]; placeholders: string[] } {
  const p = resolveRulePaths([content]);
  return {
    rules: [...(p.layouts.length > 0 ? p.rules : []), ...(opts.rules ?? [])],
    placeholders: [...p.placeholders, ...(opts.placeholders ?? [])],
  };
}

export async function validateReplay(opts: ValidateCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const content = resolve(opts.content ?? defaultStrategiesDir());
  const { catalog, diagnostics: cd } = await loadStrategies(content);
  const { rules, placeholders } = contentPaths(content, opts);
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
  } else {
    out(formatValidationTable(report.results) + '\n\n');
    const owner = new Map(catalog.strategies().flatMap((s) => s.rules.map((id) => [id, s.id!] as const)));
    out(
      formatRuleFigures(
        scenarioRuleFigures(
          report.results,
          catalog
            .rules()
            .filter((r) => r.id && r.kind !== 'filter')
            .map((r) => ({ id: r.id!, title: r.title ?? r.id!, strategy: owner.get(r.id!) })),
        ).rules,
        'scenarios',
      ) + '\n',
    );
  }
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
    live = await import('../emulate/live/index.js');
  } catch (e) {
    process.stderr.write(`validate: live validation not available (${(e as Error).message.split('\n')[0]})\n`);
    return 2;
  }
  if (typeof live.runLiveValidation !== 'function') {
    process.stderr.write('validate: live validation not available\n');
    return 2;
  }
  const content = opts.content ? resolve(opts.content) : join(defaultStrategiesDir());
  let store: Store | undefined;
  let respond: ((f: Finding) => Promise<ResponseRecord[]>) | undefined;
  if (opts.respond) {
    const strategiesDir = existsSync(join(content, 'strategies')) ? join(content, 'strategies') : content;
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'stowaway-validate-respond-'));
    const { policy, diagnostics } = await policyFor({ dataDir, policyFile: opts.respond, strategiesDir });
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (policy.mode !== 'auto') process.stderr.write(`validate: response mode is ${policy.mode} in ${opts.respond}: nothing will be done automatically\n`);
    store = openStore(dataDir);
    const { catalog } = await loadStrategies(strategiesDir);
    respond = respondToFindings({ store, catalog, responder: createResponder({ store, policy, dataDir }) });
    process.stderr.write(
      `validate: response ${policy.mode} (${policy.modeSource}); alerts answered, their audit trail and evidence in ${store.path.replace(/\/[^/]+$/, '')}\n`,
    );
  }
  const report = await live.runLiveValidation({
    content,
    ...(opts.strategy ? { strategies: opts.strategy } : {}),
    ...(opts.maxWait ? { maxWaitS: Number(opts.maxWait) } : {}),
    ...(respond ? { respond } : {}),
    log: (line: string) => process.stderr.write(line + '\n'),
  });
  store?.close();
  process.stdout.write(live.renderLiveReport(report, opts.json ? 'json' : 'table') + '\n');
  if (report.fatal) return 2;
  return report.ok ? 0 : 1;
}

/** The per-rule figure of the scenario set: findings on positive scenarios and on benign ones. */
function scenarioRuleFigures(results: ScenarioResult[], rules: Array<{ id: string; title: string; strategy?: string }>): ReturnType<typeof summarize> {
  const meta = new Map(rules.map((r) => [r.id, r]));
  const asVariants: VariantResult[] = results.map((r) => ({
    variant: {
      strategy: r.scenario.strategy,
      id: r.scenario.name,
      kind: r.scenario.kind,
      family: 'scenario',
      description: '',
      expect: r.scenario.fire,
      events: { format: 'ecs', lines: [] },
    },
    verdict: r.verdict === 'pass' ? 'pass' : r.verdict,
    fired: r.fired,
    events: r.events,
    source: 'scenario',
  }));
  const rep = summarize(
    asVariants,
    [],
    (id) => meta.get(id)?.title ?? id,
    (id) => meta.get(id)?.strategy,
  );
  // Rules no scenario exercised still get their row: zero detections is a figure too.
  const seen = new Set(rep.rules.map((r) => r.id));
  for (const r of rules)
    if (r.id && !seen.has(r.id))
      rep.rules.push({
        id: r.id,
        title: r.title,
        ...(r.strategy ? { strategy: r.strategy } : {}),
        detected: 0,
        expected: 0,
        benignVariants: 0,
        benignAlerts: 0,
      });
  rep.rules.sort((a, b) => (a.strategy ?? '~').localeCompare(b.strategy ?? '~') || b.detected - a.detected || a.id.localeCompare(b.id));
  return rep;
}

interface VariantContext {
  content: string;
  variants: Variant[];
  strategyDirs: Map<string, string>;
  ruleStrategy: Map<string, string>;
  rules: string[];
  placeholders: string[];
  analytics?: string;
}

async function variantContext(opts: ValidateCliOptions, err: (s: string) => void): Promise<VariantContext | undefined> {
  const content = resolve(opts.content ?? defaultStrategiesDir());
  const { catalog, diagnostics } = await loadStrategies(content);
  for (const d of diagnostics) err(formatDiagnostic(d) + '\n');
  const set = allVariants();
  for (const p of set.problems) err(`validate: variant refused: ${p}\n`);
  const wantS = opts.strategy?.length ? new Set(opts.strategy.map((s) => s.toUpperCase())) : undefined;
  const wantV = opts.variant?.length ? new Set(opts.variant) : undefined;
  const variants = set.variants.filter((v) => (!wantS || wantS.has(v.strategy)) && (!wantV || wantV.has(v.id)));
  if (variants.length === 0) {
    err('validate: no variants selected\n');
    return undefined;
  }
  const strategyDirs = new Map(
    catalog
      .strategies()
      .filter((s) => s.id)
      .map((s) => [s.id!, dirname(s.file)]),
  );
  const ruleStrategy = new Map<string, string>();
  for (const st of catalog.strategies()) for (const id of st.rules) if (st.id) ruleStrategy.set(id, st.id);
  const { rules, placeholders } = contentPaths(content, opts);
  const analytics = opts.analytics ?? join(content, '..', 'analytics');
  return {
    content,
    variants,
    strategyDirs,
    ruleStrategy,
    rules,
    placeholders,
    ...(existsSync(analytics) ? { analytics } : {}),
  };
}

export async function validateVariantsReplay(opts: ValidateCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const ctx = await variantContext(opts, err);
  if (!ctx) return 2;
  const rep = await replayVariants({
    variants: ctx.variants,
    strategyDirs: ctx.strategyDirs,
    rules: ctx.rules,
    placeholders: ctx.placeholders,
    ruleStrategy: (id) => ctx.ruleStrategy.get(id),
    ...(ctx.analytics ? { analytics: ctx.analytics } : {}),
  });
  for (const d of rep.diagnostics) err(formatDiagnostic(d) + '\n');
  if (opts.json) out(JSON.stringify(variantJson(rep), null, 2) + '\n');
  else out(formatVariantReport(rep) + '\n');
  const t = rep.total;
  err(
    `validate --variants: ${rep.results.length} variants; positives detected ${t.detected}/${t.positives}, benign quiet ${t.quiet}/${t.benign}${t.unreplayed ? `; ${t.unreplayed} not replayed` : ''}\n`,
  );
  return rep.ok ? 0 : 1;
}

function variantJson(rep: ReturnType<typeof summarize>): unknown {
  return {
    variants: rep.results.map((r) => ({
      strategy: r.variant.strategy,
      id: r.variant.id,
      kind: r.variant.kind,
      family: r.variant.family,
      technique: r.variant.technique,
      expect: r.variant.expect,
      verdict: r.verdict,
      fired: Object.fromEntries(r.fired),
      events: r.events,
      source: r.source,
      ...(r.detail ? { detail: r.detail } : {}),
    })),
    strategies: rep.strategies,
    total: rep.total,
    rules: rep.rules,
  };
}

async function validateVariantsLive(opts: ValidateCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const ctx = await variantContext(opts, err);
  if (!ctx) return 2;
  let live: typeof import('../emulate/live/index.js');
  let vlive: typeof import('../emulate/variants/live.js');
  try {
    live = await import('../emulate/live/index.js');
    vlive = await import('../emulate/variants/live.js');
  } catch (e) {
    err(`validate: live validation not available (${(e as Error).message.split('\n')[0]})\n`);
    return 2;
  }
  const ruleIds = new Map<string, string[]>();
  for (const [id, dir] of ctx.strategyDirs) ruleIds.set(id, await strategyRuleIds(dir));
  const { emulations, unplaced } = vlive.toEmulations(ctx.variants, ctx.strategyDirs, ruleIds);
  for (const v of unplaced) err(`validate: variant ${v.strategy}/${v.id}: no strategy folder for ${v.strategy}\n`);
  const replayOnly = ctx.variants.filter((v) => !v.live);
  if (replayOnly.length) err(`validate: ${replayOnly.length} variants have no live form (generated telemetry only); validate --variants replays them\n`);
  if (emulations.length === 0) {
    err('validate: no live variants selected\n');
    return 2;
  }
  const byKey = new Map(ctx.variants.map((v) => [`${v.strategy}/${v.id}`, v]));
  const report = await live.runLiveValidation({
    content: ctx.content,
    emulations,
    ...(opts.maxWait ? { maxWaitS: Number(opts.maxWait) } : {}),
    ...(opts.record ? { record: vlive.variantRecorder(byKey) } : {}),
    log: (line: string) => err(line + '\n'),
  });
  if (opts.json) {
    out(live.renderLiveReport(report, 'json') + '\n');
  } else {
    out(live.renderLiveReport(report, 'table') + '\n\n');
  }
  if (report.fatal) return 2;
  // The same figures as the replay: per strategy and per rule, from what the live run received.
  const results: VariantResult[] = report.rows.map((row) => {
    const v = byKey.get(`${row.strategy}/${row.scenario}`)!;
    const fired = new Map<string, number>();
    for (const r of row.received) fired.set(r.rule, (fired.get(r.rule) ?? 0) + 1);
    const verdict = row.verdict === 'pass' ? 'pass' : row.verdict === 'error' ? 'error' : v.kind === 'positive' ? 'miss' : 'false-alarm';
    return { variant: v, verdict, fired, events: 0, source: 'live', ...(row.reason ? { detail: row.reason } : {}) };
  });
  const titles = new Map(report.rows.flatMap((r) => r.received.map((x) => [x.rule, x.title] as const)));
  const rep = summarize(
    results,
    [],
    (id) => titles.get(id) ?? id,
    (id) => ctx.ruleStrategy.get(id),
  );
  if (!opts.json) out(formatStrategyFigures(rep.strategies, rep.total) + '\n\n' + formatRuleFigures(rep.rules) + '\n');
  const t = rep.total;
  err(`validate --live --variants: ${results.length} variants; positives detected ${t.detected}/${t.positives}, benign quiet ${t.quiet}/${t.benign}\n`);
  return report.ok ? 0 : 1;
}
