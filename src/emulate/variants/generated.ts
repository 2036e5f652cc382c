// Replays variants that carry their telemetry in code (Variant.events: Kubernetes audit events, no
// API server to record from) through the same readers, engine and shipped rules `validate` uses,
// and judges them: a positive passes when one of its expected rules fires, a benign one when no
// rule fires at all.
import type { Diagnostic } from '../../model/diagnostic.js';
import type { StowawayEvent } from '../../model/event.js';
import { parserFor } from '../../sources/files.js';
import { createEngine } from '../../engine/index.js';
import type { EngineRules } from '../../engine/rules.js';
import { REPLAY_LATENESS } from '../replay.js';
import type { Variant } from './types.js';
import { table } from './replay.js';

export interface GeneratedResult {
  variant: Variant;
  events: number;
  /** Rule id → findings. */
  fired: Map<string, number>;
  diagnostics: Diagnostic[];
  pass: boolean;
}

/** The events of a variant's generated telemetry, parsed as a file of that format would be. */
export async function generatedEvents(v: Variant): Promise<{ events: StowawayEvent[]; diagnostics: Diagnostic[] }> {
  const events: StowawayEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!v.events) return { events, diagnostics };
  const origin = `variant:${v.strategy}/${v.id}`;
  const parser = await parserFor(v.events.format, origin);
  if ('diagnostic' in parser) return { events, diagnostics: [parser.diagnostic] };
  const take = (recs: ReturnType<typeof parser.end>): void => {
    for (const r of recs) {
      if ('event' in r) {
        if (r.event.stowaway) r.event.stowaway.replay = true;
        events.push(r.event);
      } else diagnostics.push(r.diagnostic);
    }
  };
  v.events.lines.forEach((l, i) => take(parser.line(l, i + 1)));
  take(parser.end());
  return { events, diagnostics };
}

/** One variant on a fresh engine. */
export async function replayGenerated(v: Variant, rules: EngineRules): Promise<GeneratedResult> {
  const { events, diagnostics } = await generatedEvents(v);
  const engine = createEngine({
    ruleset: rules.ruleset,
    correlations: rules.correlations,
    knownRules: rules.knownRules,
    fieldPaths: rules.fieldPaths,
    lateness: REPLAY_LATENESS,
  });
  const fired = new Map<string, number>();
  const count = (fs: ReturnType<typeof engine.flush>): void => {
    for (const f of fs) fired.set(f.rule.id, (fired.get(f.rule.id) ?? 0) + 1);
  };
  for (const ev of events) count(engine.process(ev));
  count(engine.flush());
  const readable = events.length > 0 && diagnostics.length === 0;
  const pass = readable && (v.kind === 'positive' ? v.expect.some((id) => fired.has(id)) : fired.size === 0);
  return { variant: v, events: events.length, fired, diagnostics, pass };
}

/** Per strategy: positives detected and benign variants quiet. */
export function summaryTable(results: readonly GeneratedResult[]): string {
  const by = new Map<string, { pos: number; det: number; ben: number; quiet: number }>();
  for (const r of results) {
    const s = by.get(r.variant.strategy) ?? { pos: 0, det: 0, ben: 0, quiet: 0 };
    if (r.variant.kind === 'positive') {
      s.pos++;
      if (r.pass) s.det++;
    } else {
      s.ben++;
      if (r.pass) s.quiet++;
    }
    by.set(r.variant.strategy, s);
  }
  const total = { pos: 0, det: 0, ben: 0, quiet: 0 };
  const rows = [...by.entries()].sort().map(([k, s]) => {
    total.pos += s.pos;
    total.det += s.det;
    total.ben += s.ben;
    total.quiet += s.quiet;
    return [k, `${s.det}/${s.pos}`, `${s.quiet}/${s.ben}`];
  });
  rows.push(['total', `${total.det}/${total.pos}`, `${total.quiet}/${total.ben}`]);
  return table(['ADS', 'positives detected', 'benign quiet'], rows);
}

/** Per rule: the positive variants it detected and the alerts it raised on benign variants. */
export function ruleTable(results: readonly GeneratedResult[], names: ReadonlyMap<string, string>): string {
  const rows = new Map<string, { detected: number; benign: number }>();
  for (const r of results) {
    for (const [id, n] of r.fired) {
      const row = rows.get(id) ?? { detected: 0, benign: 0 };
      if (r.variant.kind === 'positive') row.detected++;
      else row.benign += n;
      rows.set(id, row);
    }
  }
  const out = [...rows.entries()]
    .sort((a, b) => (names.get(a[0]) ?? a[0]).localeCompare(names.get(b[0]) ?? b[0]))
    .map(([id, r]) => [names.get(id) ?? id, id.slice(0, 8), String(r.detected), String(r.benign)]);
  return table(['rule', 'id', 'variants detected', 'benign alerts'], out);
}

export interface ScenarioFile {
  /** Relative to the strategy folder, e.g. scenarios/k8s-variants.yml. */
  path: string;
  text: string;
}

/**
 * Generated variants of one strategy as two replay scenarios `validate` runs with the recorded ones:
 * `<name>` (positive: the first rule each variant expects must fire) and `<name>-ordinary` (benign,
 * quiet: all). Written from code, so a check can tell when the files drifted from the generator.
 */
export function variantScenarios(strategy: string, name: string, variants: readonly Variant[], describe: { positive: string; benign: string }): ScenarioFile[] {
  const mine = variants.filter((v) => v.strategy === strategy && v.events);
  const out: ScenarioFile[] = [];
  for (const kind of ['positive', 'benign'] as const) {
    const vs = mine.filter((v) => v.kind === kind);
    if (vs.length === 0) continue;
    const formats = new Set(vs.map((v) => v.events!.format));
    if (formats.size !== 1) throw new Error(`${strategy} ${kind} variants mix formats: ${[...formats].join(', ')}`);
    const format = [...formats][0]!;
    const scen = kind === 'positive' ? name : `${name}-ordinary`;
    const data = `${scen}.${format}.jsonl`;
    const fire = [...new Set(vs.map((v) => v.expect[0]!))];
    const yaml = [
      `# Generated by scripts/variants-k8s.mjs --write from src/emulate/variants/kubernetes.ts; do not edit.`,
      `name: ${scen}`,
      `strategy: ${strategy}`,
      `kind: ${kind}`,
      `description: ${JSON.stringify((kind === 'positive' ? describe.positive : describe.benign) + ` (${vs.length} variants: ${vs.map((v) => v.id).join(', ')})`)}`,
      `telemetry: generated audit events in the documented format (no API server on the recording machine)`,
      `inputs:`,
      `- file: ${data}`,
      `  format: ${format}`,
      `expect:`,
      ...(kind === 'positive' ? ['  fire:', ...fire.map((id) => `  - ${id}`)] : ['  quiet: all']),
      '',
    ].join('\n');
    out.push({ path: `scenarios/${scen}.yml`, text: yaml });
    out.push({ path: `scenarios/${data}`, text: vs.flatMap((v) => v.events!.lines).join('\n') + '\n' });
  }
  return out;
}
