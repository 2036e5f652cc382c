// Replays recorded scenarios through the same path `watch` uses: file readers → engine with the
// shipped rules → findings, then judges each scenario against what it expects.
import type { Diagnostic } from '../model/diagnostic.js';
import { LATENESS, engineOver, loadRules } from '../runtime/content.js';
import { replayScenario } from '../runtime/replay.js';
export { readScenarioEvents } from '../runtime/replay.js';
import type { EngineRules } from '../engine/rules.js';
import { loadAnalytics } from '../analytics/index.js';
import type { Detector } from '../engine/types.js';
import type { Scenario } from '../ads/scenario.js';
import { loadScenarios } from '../ads/scenario.js';

export type Verdict = 'pass' | 'miss' | 'false-alarm' | 'error';

export interface ScenarioResult {
  scenario: Scenario;
  events: number;
  /** Rule id → findings it produced. */
  fired: Map<string, number>;
  /** Positive: expected rules that did not fire. */
  missing: string[];
  /** Benign: rules that must stay quiet and fired. */
  unexpected: string[];
  /** Telemetry the readers refused (bad lines, missing files). */
  inputDiagnostics: Diagnostic[];
  verdict: Verdict;
}

export interface ValidationReport {
  results: ScenarioResult[];
  /** Problems loading rules, scenarios or telemetry. */
  diagnostics: Diagnostic[];
  rulesLoaded: number;
  correlations: number;
}

/** The lateness `watch` runs with; replay uses the same so windows close the same way. */
export const REPLAY_LATENESS = LATENESS;

/**
 * Runs one scenario on a fresh engine (no state shared between scenarios) and judges it.
 * `detectors` builds fresh analytics for it (they learn nothing from earlier scenarios).
 */
export async function validateScenario(
  s: Scenario,
  rules: EngineRules,
  strategyRules: (strategy: string) => string[],
  detectors: () => Detector[] = () => [],
): Promise<ScenarioResult> {
  const { events, findings, diagnostics } = await replayScenario(s, engineOver(rules, { detectors: detectors(), lateness: REPLAY_LATENESS }));
  const fired = new Map<string, number>();
  for (const f of findings) fired.set(f.rule.id, (fired.get(f.rule.id) ?? 0) + 1);
  return judge(s, events, fired, diagnostics, strategyRules);
}

export function judge(
  s: Scenario,
  events: number,
  fired: Map<string, number>,
  inputDiagnostics: Diagnostic[],
  strategyRules: (strategy: string) => string[],
): ScenarioResult {
  const missing = s.kind === 'positive' ? s.fire.filter((id) => !fired.has(id)) : [];
  const quiet = s.kind === 'benign' ? (s.quiet === 'all' ? strategyRules(s.strategy) : s.quiet) : [];
  const unexpected = quiet.filter((id) => fired.has(id));
  // A scenario whose telemetry could not be read proves nothing, benign ones least of all.
  const unreadable = events === 0 || inputDiagnostics.some((d) => d.code === 'scenario-input-missing' || d.code === 'format-unsupported');
  const verdict: Verdict = unreadable ? 'error' : missing.length > 0 ? 'miss' : unexpected.length > 0 ? 'false-alarm' : 'pass';
  return { scenario: s, events, fired, missing, unexpected, inputDiagnostics, verdict };
}

export interface ValidationOptions {
  /** Directory of strategy folders (content/strategies). */
  content: string;
  /** Rule directories to load; default: every `<content>/<strategy>/rules`. */
  rules: string[];
  /** Placeholder files for `|expand` rules, each layered over the ones before. */
  placeholders?: string | readonly string[];
  /** Rule ids owned by each ADS id, for benign scenarios that must keep the whole strategy quiet. */
  strategyRules: (strategy: string) => string[];
  /** Only scenarios of these ADS ids (all when empty). */
  strategies?: string[];
  /** Analytics definitions (content/analytics) to run beside the rules, fresh per scenario. */
  analytics?: string;
}

export async function runValidation(opts: ValidationOptions): Promise<ValidationReport> {
  const diagnostics: Diagnostic[] = [];
  const rules = await loadRules({ rules: opts.rules, ...(opts.placeholders ? { placeholders: opts.placeholders } : {}) });
  diagnostics.push(...rules.diagnostics);
  const { scenarios, diagnostics: sd } = await loadScenarios(opts.content);
  diagnostics.push(...sd);
  const wanted = opts.strategies && opts.strategies.length > 0 ? new Set(opts.strategies) : undefined;
  let analyticsReported = false;
  const detectors = (): Detector[] => {
    if (!opts.analytics) return [];
    const built = loadAnalytics([opts.analytics]);
    if (!analyticsReported) diagnostics.push(...built.diagnostics);
    analyticsReported = true;
    return built.detectors;
  };
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    if (wanted && !wanted.has(s.strategy)) continue;
    results.push(await validateScenario(s, rules, opts.strategyRules, detectors));
  }
  return { results, diagnostics, rulesLoaded: rules.knownRules.length, correlations: rules.correlations.length };
}

/** The table `stowaway validate` prints: one row per scenario. */
export function formatValidationTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => {
    const expected = r.scenario.kind === 'positive' ? r.scenario.fire.length : r.scenario.quiet === 'all' ? 'quiet:all' : `quiet:${r.scenario.quiet.length}`;
    const firedIds = [...r.fired.keys()];
    const detail =
      r.verdict === 'miss'
        ? `missing ${r.missing.map(short).join(',')}`
        : r.verdict === 'false-alarm'
          ? `fired ${r.unexpected.map(short).join(',')}`
          : r.verdict === 'error'
            ? unreadableReason(r)
            : r.scenario.kind === 'benign' && firedIds.length > 0
              ? `outside the strategy: ${firedIds.map(short).join(',')}`
              : '';
    return [
      r.scenario.strategy,
      r.scenario.name,
      r.scenario.kind,
      String(expected),
      `${firedIds.length} rules/${sum(r.fired)} findings`,
      r.verdict.toUpperCase(),
      detail,
    ];
  });
  const head = ['ADS', 'scenario', 'kind', 'expected', 'fired', 'verdict', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function unreadableReason(r: ScenarioResult): string {
  const d = r.inputDiagnostics.find((x) => x.severity === 'error');
  if (d) return `${d.code}: ${d.file ?? ''}`;
  return 'no events read';
}

function short(id: string): string {
  return id.slice(0, 8);
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}
