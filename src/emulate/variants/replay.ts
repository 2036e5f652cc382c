// Replays every variant through the path `validate` uses (file readers → engine with every shipped
// rule, a fresh engine per variant) and judges it: a positive passes when one of the rules it names
// fired, a benign one when no shipped rule fired at all. The telemetry is the variant's recording
// (`<strategy>/variants/<id>.yml` and its files, written by `validate --live --variants --record`)
// or the events it generates.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { EngineRules } from '../../engine/rules.js';
import { loadRules } from '../../runtime/content.js';
import { parseScenario, type Scenario } from '../../ads/scenario.js';
import { validateScenario } from '../replay.js';
import { loadAnalytics } from '../../analytics/index.js';
import type { Detector } from '../../engine/types.js';
import type { Variant } from './types.js';

export type VariantVerdict = 'pass' | 'miss' | 'false-alarm' | 'unrecorded' | 'error';

export interface VariantResult {
  variant: Variant;
  verdict: VariantVerdict;
  /** Rule id → findings it produced on this variant. */
  fired: Map<string, number>;
  events: number;
  /** Where the telemetry came from: a recording, generated events, or why there is none. */
  source: string;
  detail?: string;
}

export interface RuleFigure {
  id: string;
  title: string;
  strategy?: string;
  /** Positive variants on which the rule fired. */
  detected: number;
  /** Of those, the variants that named it in `expect`. */
  expected: number;
  /** Benign variants on which it fired, and its findings there. */
  benignVariants: number;
  benignAlerts: number;
}

export interface StrategyFigure {
  strategy: string;
  positives: number;
  detected: number;
  benign: number;
  quiet: number;
  /** Variants with no telemetry to replay (never recorded) or whose telemetry could not be read. */
  unreplayed: number;
}

export interface VariantReport {
  results: VariantResult[];
  strategies: StrategyFigure[];
  total: StrategyFigure;
  rules: RuleFigure[];
  diagnostics: Diagnostic[];
  ok: boolean;
}

/** The folder a strategy's recorded variants live in. */
export function variantsDir(strategyDir: string): string {
  return join(strategyDir, 'variants');
}

export interface VariantReplayOptions {
  variants: Variant[];
  /** ADS id → strategy folder. */
  strategyDirs: Map<string, string>;
  rules: string[];
  placeholders?: readonly string[];
  /** Rule id → the ADS id whose rules folder holds it (for the table). */
  ruleStrategy?: (id: string) => string | undefined;
  /** Analytics definitions (content/analytics) run beside the rules, fresh per variant: a benign variant must keep them quiet too. */
  analytics?: string;
}

async function scenarioFor(
  v: Variant,
  dir: string | undefined,
  tmp: () => Promise<string>,
): Promise<{ scenario?: Scenario; source: string; diagnostics: Diagnostic[] }> {
  const base = { name: v.id, strategy: v.strategy, kind: v.kind, fire: v.expect, quiet: 'all' as const, file: '' };
  if (v.events) {
    const file = join(await tmp(), `${v.strategy}-${v.id}.${v.events.format}`);
    await writeFile(file, v.events.lines.join('\n') + '\n');
    return { scenario: { ...base, inputs: [{ file, format: v.events.format }] }, source: 'generated', diagnostics: [] };
  }
  const yml = dir ? join(variantsDir(dir), `${v.id}.yml`) : undefined;
  if (!yml || !existsSync(yml)) return { source: `not recorded (${yml ?? `no folder for ${v.strategy}`})`, diagnostics: [] };
  const r = parseScenario(await readFile(yml, 'utf8'), yml);
  if (!r.scenario) return { source: `unreadable recording ${yml}`, diagnostics: r.diagnostics };
  return { scenario: { ...r.scenario, fire: v.expect, kind: v.kind }, source: 'recorded', diagnostics: r.diagnostics };
}

/** Judges what fired on a variant. `ruleIds` are the shipped rules (a benign variant must keep all quiet). */
export function judgeVariant(v: Variant, fired: Map<string, number>, ruleIds: Set<string>): { verdict: VariantVerdict; detail?: string } {
  if (v.kind === 'positive') {
    if (v.expect.some((id) => fired.has(id))) return { verdict: 'pass' };
    return { verdict: 'miss', detail: `none of ${v.expect.map(short).join(',')} fired` };
  }
  const loud = [...fired.keys()].filter((id) => ruleIds.has(id));
  return loud.length ? { verdict: 'false-alarm', detail: `fired ${loud.map(short).join(',')}` } : { verdict: 'pass' };
}

export async function replayVariants(opts: VariantReplayOptions): Promise<VariantReport> {
  const diagnostics: Diagnostic[] = [];
  const rules: EngineRules = await loadRules({ rules: opts.rules, ...(opts.placeholders ? { placeholders: opts.placeholders } : {}) });
  diagnostics.push(...rules.diagnostics);
  const titles = new Map<string, string>();
  for (const m of rules.ruleset.rules()) titles.set(m.id, m.title ?? m.id);
  for (const c of rules.correlations) if (c.id) titles.set(c.id, c.title ?? c.id);
  const ruleIds = new Set(rules.knownRules.map((r) => r.id));
  for (const c of rules.correlations) if (c.id) ruleIds.add(c.id);
  // Analytics are shipped detections like rules: fresh per variant (they learn nothing from earlier ones), judged the same way.
  let analyticsReported = false;
  const detectors = (): Detector[] => {
    if (!opts.analytics) return [];
    const built = loadAnalytics([opts.analytics]);
    if (!analyticsReported) {
      diagnostics.push(...built.diagnostics);
      for (const d of built.detectors) {
        ruleIds.add(d.def.id);
        titles.set(d.def.id, d.def.title);
      }
      analyticsReported = true;
    }
    return built.detectors;
  };
  let dir: string | undefined;
  const tmp = async (): Promise<string> => (dir ??= await mkdtemp(join(tmpdir(), 'stowaway-variants-')));
  const results: VariantResult[] = [];
  try {
    for (const v of opts.variants) {
      const { scenario, source, diagnostics: ds } = await scenarioFor(v, opts.strategyDirs.get(v.strategy), tmp);
      diagnostics.push(...ds);
      if (!scenario) {
        results.push({ variant: v, verdict: source.startsWith('not recorded') ? 'unrecorded' : 'error', fired: new Map(), events: 0, source });
        continue;
      }
      const r = await validateScenario(scenario, rules, () => [], detectors);
      if (r.verdict === 'error') {
        const d = r.inputDiagnostics.find((x) => x.severity === 'error');
        results.push({ variant: v, verdict: 'error', fired: r.fired, events: r.events, source, detail: d ? `${d.code}: ${d.message}` : 'no events read' });
        continue;
      }
      results.push({ variant: v, ...judgeVariant(v, r.fired, ruleIds), fired: r.fired, events: r.events, source });
    }
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  return summarize(results, diagnostics, (id) => titles.get(id) ?? id, opts.ruleStrategy);
}

/** Per strategy and total figures, and the per-rule table, from judged variants. */
export function summarize(
  results: VariantResult[],
  diagnostics: Diagnostic[],
  title: (id: string) => string,
  ruleStrategy?: (id: string) => string | undefined,
): VariantReport {
  const byStrategy = new Map<string, StrategyFigure>();
  const fig = (s: string): StrategyFigure => {
    let f = byStrategy.get(s);
    if (!f) byStrategy.set(s, (f = { strategy: s, positives: 0, detected: 0, benign: 0, quiet: 0, unreplayed: 0 }));
    return f;
  };
  const rules = new Map<string, RuleFigure>();
  const rf = (id: string): RuleFigure => {
    let f = rules.get(id);
    if (!f) {
      const strategy = ruleStrategy?.(id);
      rules.set(id, (f = { id, title: title(id), ...(strategy ? { strategy } : {}), detected: 0, expected: 0, benignVariants: 0, benignAlerts: 0 }));
    }
    return f;
  };
  for (const r of results) {
    const f = fig(r.variant.strategy);
    if (r.verdict === 'unrecorded' || r.verdict === 'error') f.unreplayed++;
    if (r.variant.kind === 'positive') {
      f.positives++;
      if (r.verdict === 'pass') f.detected++;
      for (const id of r.fired.keys()) {
        const x = rf(id);
        x.detected++;
        if (r.variant.expect.includes(id)) x.expected++;
      }
    } else {
      f.benign++;
      if (r.verdict === 'pass') f.quiet++;
      for (const [id, n] of r.fired) {
        const x = rf(id);
        x.benignVariants++;
        x.benignAlerts += n;
      }
    }
  }
  // Every rule a variant names appears, even one that never fired: a 0 there is the finding.
  for (const r of results) for (const id of r.variant.expect) rf(id);
  const strategies = [...byStrategy.values()].sort((a, b) => a.strategy.localeCompare(b.strategy));
  const total = strategies.reduce<StrategyFigure>(
    (t, s) => ({
      strategy: 'total',
      positives: t.positives + s.positives,
      detected: t.detected + s.detected,
      benign: t.benign + s.benign,
      quiet: t.quiet + s.quiet,
      unreplayed: t.unreplayed + s.unreplayed,
    }),
    { strategy: 'total', positives: 0, detected: 0, benign: 0, quiet: 0, unreplayed: 0 },
  );
  const ruleList = [...rules.values()].sort(
    (a, b) => (a.strategy ?? '~').localeCompare(b.strategy ?? '~') || b.detected - a.detected || a.id.localeCompare(b.id),
  );
  const ok = results.length > 0 && results.every((r) => r.verdict === 'pass') && !diagnostics.some((d) => d.severity === 'error');
  return { results, strategies, total, rules: ruleList, diagnostics, ok };
}

function short(id: string): string {
  return id.slice(0, 8);
}

/** A plain text table: columns padded to their widest cell, a dashed rule under the head. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${Math.round((1000 * n) / d) / 10}%`);

/** Per variant, then per strategy with the totals, then per rule. */
export function formatVariantReport(rep: Pick<VariantReport, 'results' | 'strategies' | 'total' | 'rules'>): string {
  const rows = rep.results.map((r) => [
    r.variant.strategy,
    r.variant.id,
    r.variant.kind,
    r.variant.family,
    r.verdict.toUpperCase(),
    r.detail ?? (r.verdict === 'unrecorded' ? 'run validate --live --variants --record' : [...r.fired.keys()].map(short).join(',')),
  ]);
  return [
    table(['ADS', 'variant', 'kind', 'family', 'verdict', 'detail / rules fired'], rows),
    '',
    formatStrategyFigures(rep.strategies, rep.total),
    '',
    formatRuleFigures(rep.rules),
  ].join('\n');
}

export function formatStrategyFigures(strategies: StrategyFigure[], total: StrategyFigure): string {
  const row = (s: StrategyFigure): string[] => [
    s.strategy,
    `${s.detected}/${s.positives}`,
    pct(s.detected, s.positives),
    `${s.quiet}/${s.benign}`,
    pct(s.quiet, s.benign),
    s.unreplayed ? String(s.unreplayed) : '',
  ];
  return table(['strategy', 'positives detected', '', 'benign quiet', '', 'not replayed'], [...strategies.map(row), row(total)]);
}

export function formatRuleFigures(rules: RuleFigure[], noun = 'variants'): string {
  return table(
    ['rule', 'ADS', 'title', `${noun} detected`, 'benign alerts'],
    rules.map((r) => [
      short(r.id),
      r.strategy ?? '',
      r.title.length > 60 ? r.title.slice(0, 59) + '…' : r.title,
      String(r.detected),
      r.benignVariants ? `${r.benignAlerts} on ${r.benignVariants}` : '0',
    ]),
  );
}
