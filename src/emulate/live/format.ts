// The emulation file format: what a live run does on this host, and what the
// detections must (or must not) say about it. One `emulation.yml` sits beside
// each strategy; parsing never throws — a bad scenario becomes a Diagnostic and
// the good ones still run.
import { parseDocument, isMap, isSeq, LineCounter } from 'yaml';
import type { Diagnostic } from '../../model/diagnostic.js';

/** Where the process a step starts runs: on the host, or inside a container. */
export type StepPlace = 'host' | 'container';

export interface EmulationStep {
  /** Shell command (bash) run for real on the host; `${VAR}` placeholders are expanded first. */
  run: string;
  /** Where the interesting process runs; documents attribution expectations. */
  where: StepPlace;
  /** Seconds before the step is killed. */
  timeout_s: number;
  /** The step may exit non-zero (a refused `--privileged` start still produced a create event). */
  allow_failure: boolean;
  name?: string;
}

/**
 * Facilities the runner provides for a scenario before its steps run. `network`
 * is the run's bridge network ($NETWORK); https and listener imply it, since
 * they listen on its gateway address.
 */
export type Fixture = 'https' | 'listener' | 'network';

export const FIXTURES: readonly Fixture[] = ['https', 'listener', 'network'];

/** True when the scenario's containers join the run network (directly or through a fixture). */
export function needsRunNetwork(s: Pick<EmulationScenario, 'needs'>): boolean {
  return s.needs.some((n) => n === 'network' || n === 'https' || n === 'listener');
}

export interface ExpectedAlert {
  rule: string;
  /** The alert's container must be one this scenario created (matched by id, checked against Docker). */
  container?: boolean;
  /** Substring the alert's container image name must contain. */
  image?: string;
  /** Substring of the process executable or command line on the alert's event (audit-derived rules). */
  process?: string;
  /** The process ran on the host: the alert must name no container. */
  host?: boolean;
}

export interface EmulationScenario {
  id: string;
  kind: 'positive' | 'benign';
  description: string;
  needs: Fixture[];
  setup: EmulationStep[];
  steps: EmulationStep[];
  cleanup: EmulationStep[];
  /** Positive: every one of these must alert for this scenario (with `expect_any`, at least one). */
  expect: ExpectedAlert[];
  /** Generated variants name rules of which any one is enough. */
  expect_any?: boolean;
  /** Benign: rules that must stay quiet; `['*']` means every loaded rule. Empty → the strategy's own rules. */
  quiet: string[];
  /** Seconds to wait for expected alerts (positive) or to listen for false alarms (benign). */
  wait_s: number;
  file?: string;
  line?: number;
}

export interface EmulationFile {
  strategy: string;
  file?: string;
  scenarios: EmulationScenario[];
}

export const DEFAULT_STEP_TIMEOUT_S = 30;
export const DEFAULT_POSITIVE_WAIT_S = 20;
export const DEFAULT_BENIGN_WAIT_S = 6;

const SCENARIO_ID = /^[a-z0-9][a-z0-9-]{0,40}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function parseStep(raw: unknown, where: string, defaults: { timeout_s: number }, problems: string[]): EmulationStep | undefined {
  const s: Obj = typeof raw === 'string' ? { run: raw } : isObj(raw) ? raw : {};
  if (typeof s.run !== 'string' || s.run.trim() === '') {
    problems.push(`${where}: a step needs a non-empty 'run' command`);
    return undefined;
  }
  const place = s.where ?? 'host';
  if (place !== 'host' && place !== 'container') {
    problems.push(`${where}: 'where' must be host or container, not ${JSON.stringify(place)}`);
    return undefined;
  }
  if (s.timeout !== undefined && num(s.timeout) === undefined) {
    problems.push(`${where}: 'timeout' must be a positive number of seconds`);
    return undefined;
  }
  return {
    run: s.run,
    where: place,
    timeout_s: num(s.timeout) ?? defaults.timeout_s,
    allow_failure: s.allow_failure === true,
    ...(typeof s.name === 'string' ? { name: s.name } : {}),
  };
}

function parseSteps(raw: unknown, where: string, defaults: { timeout_s: number }, problems: string[]): EmulationStep[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${where}: must be a list of steps`);
    return [];
  }
  const out: EmulationStep[] = [];
  raw.forEach((r, i) => {
    const st = parseStep(r, `${where}[${i}]`, defaults, problems);
    if (st) out.push(st);
  });
  return out;
}

function parseExpect(raw: unknown, problems: string[]): ExpectedAlert[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`'expect' must be a list of rule ids or {rule, container, image, process}`);
    return [];
  }
  const out: ExpectedAlert[] = [];
  for (const r of raw) {
    if (typeof r === 'string') out.push({ rule: r });
    else if (isObj(r) && typeof r.rule === 'string') {
      out.push({
        rule: r.rule,
        ...(r.container === true ? { container: true } : {}),
        ...(typeof r.image === 'string' ? { image: r.image } : {}),
        ...(typeof r.process === 'string' ? { process: r.process } : {}),
        ...(r.host === true ? { host: true } : {}),
      });
      if (r.host === true && r.container === true) problems.push(`'expect' entry ${r.rule} cannot be both host and container`);
    } else problems.push(`'expect' entry ${JSON.stringify(r)} needs a 'rule' id`);
  }
  return out;
}

/** Validates one scenario object; returns it or the reasons it was refused. */
export function parseScenario(raw: unknown, opts: { file?: string; line?: number } = {}): { scenario?: EmulationScenario; problems: string[] } {
  const problems: string[] = [];
  if (!isObj(raw)) return { problems: ['a scenario must be a mapping'] };
  const id = raw.id;
  if (typeof id !== 'string' || !SCENARIO_ID.test(id)) {
    problems.push(`scenario id ${JSON.stringify(id)} must match ${SCENARIO_ID} (it names containers)`);
  }
  const kind = raw.kind;
  if (kind !== 'positive' && kind !== 'benign') problems.push(`'kind' must be positive or benign`);
  const defaults = { timeout_s: num(raw.step_timeout) ?? DEFAULT_STEP_TIMEOUT_S };
  const needs: Fixture[] = [];
  if (raw.needs !== undefined) {
    if (!Array.isArray(raw.needs)) problems.push(`'needs' must be a list (${FIXTURES.join(', ')})`);
    else
      for (const n of raw.needs) {
        if ((FIXTURES as readonly unknown[]).includes(n)) needs.push(n as Fixture);
        else problems.push(`unknown fixture ${JSON.stringify(n)} (known: ${FIXTURES.join(', ')})`);
      }
  }
  const setup = parseSteps(raw.setup, 'setup', defaults, problems);
  const steps = parseSteps(raw.steps, 'steps', defaults, problems);
  const cleanup = parseSteps(raw.cleanup, 'cleanup', defaults, problems);
  if (steps.length === 0) problems.push(`'steps' must hold at least one step`);
  const expect = parseExpect(raw.expect, problems);
  let quiet: string[] = [];
  if (raw.quiet !== undefined) {
    if (raw.quiet === 'all') quiet = ['*'];
    else if (Array.isArray(raw.quiet) && raw.quiet.every((q) => typeof q === 'string')) quiet = raw.quiet;
    else problems.push(`'quiet' must be 'all' or a list of rule ids`);
  }
  if (kind === 'positive' && expect.length === 0) problems.push(`a positive scenario must 'expect' at least one rule id`);
  if (kind === 'benign' && expect.length > 0) problems.push(`a benign scenario expects no alerts; use 'quiet' for the rules that must stay silent`);
  if (raw.wait !== undefined && num(raw.wait) === undefined) problems.push(`'wait' must be a positive number of seconds`);
  if (problems.length > 0) return { problems };
  return {
    problems,
    scenario: {
      id: id as string,
      kind: kind as 'positive' | 'benign',
      description: typeof raw.description === 'string' ? raw.description.trim() : '',
      needs,
      setup,
      steps,
      cleanup,
      expect,
      quiet,
      wait_s: num(raw.wait) ?? (kind === 'positive' ? DEFAULT_POSITIVE_WAIT_S : DEFAULT_BENIGN_WAIT_S),
      ...(opts.file ? { file: opts.file } : {}),
      ...(opts.line ? { line: opts.line } : {}),
    },
  };
}

/** Parses an emulation.yml text. Refused scenarios become diagnostics; the rest are returned. */
export function parseEmulation(text: string, file?: string): { emulation?: EmulationFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  for (const e of doc.errors) {
    diagnostics.push({
      severity: 'error',
      code: 'yaml-syntax',
      message: e.message,
      ...(file ? { file } : {}),
      line: lc.linePos(e.pos[0]).line,
    });
  }
  if (doc.errors.length > 0) return { diagnostics };
  const root = doc.toJS() as unknown;
  if (!isObj(root)) {
    diagnostics.push({
      severity: 'error',
      code: 'emulation-shape',
      message: 'an emulation file must be a mapping with strategy and scenarios',
      ...(file ? { file } : {}),
    });
    return { diagnostics };
  }
  if (typeof root.strategy !== 'string' || root.strategy === '') {
    diagnostics.push({ severity: 'error', code: 'emulation-shape', message: "missing 'strategy' (the ADS id this file emulates)", ...(file ? { file } : {}) });
    return { diagnostics };
  }
  if (!Array.isArray(root.scenarios)) {
    diagnostics.push({ severity: 'error', code: 'emulation-shape', message: "'scenarios' must be a list", ...(file ? { file } : {}) });
    return { diagnostics };
  }
  const seqNode = doc.get('scenarios', true);
  const scenarios: EmulationScenario[] = [];
  const seen = new Set<string>();
  root.scenarios.forEach((raw, i) => {
    let line: number | undefined;
    if (isSeq(seqNode)) {
      const item = seqNode.items[i];
      if (isMap(item) && item.range) line = lc.linePos(item.range[0]).line;
    }
    const { scenario, problems } = parseScenario(raw, { ...(file ? { file } : {}), ...(line ? { line } : {}) });
    if (scenario && seen.has(scenario.id)) problems.push(`duplicate scenario id ${scenario.id}`);
    if (!scenario || problems.length > 0) {
      const label = isObj(raw) && typeof raw.id === 'string' ? raw.id : `#${i + 1}`;
      for (const p of problems)
        diagnostics.push({
          severity: 'error',
          code: 'emulation-scenario',
          message: `scenario ${label}: ${p}`,
          ...(file ? { file } : {}),
          ...(line ? { line } : {}),
        });
      return;
    }
    seen.add(scenario.id);
    scenarios.push(scenario);
  });
  return { emulation: { strategy: root.strategy, ...(file ? { file } : {}), scenarios }, diagnostics };
}
