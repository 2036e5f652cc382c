// Scenario definitions: recorded native telemetry plus what the shipped rules must do with it.
// A positive scenario names the rules that must fire; a benign one names the rules that must
// stay quiet ("all" = every rule of its strategy). Files are YAML beside the telemetry.
import { textOf } from '../model/values.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import type { FileFormat } from '../sources/types.js';

export type ScenarioKind = 'positive' | 'benign';

export interface ScenarioInput {
  /** Absolute path of the telemetry file. */
  file: string;
  format?: FileFormat;
  /** `docker inspect` dump that enriches docker events and attributes audit processes. */
  inspect?: string;
}

export interface Scenario {
  name: string;
  /** ADS id, e.g. ADS-0003. */
  strategy: string;
  kind: ScenarioKind;
  description?: string;
  telemetry?: string;
  inputs: ScenarioInput[];
  /** Positive: rule ids that must fire. */
  fire: string[];
  /** Benign: rule ids that must not fire, or 'all' for every rule of the strategy. */
  quiet: string[] | 'all';
  /** The scenario's YAML file. */
  file: string;
}

const FORMATS: readonly FileFormat[] = ['ecs', 'docker-events', 'auditd', 'k8s-audit', 'falco', 'zeek-conn', 'sysmon', 'winlog'];

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Parses one scenario document; paths in it are relative to the file. */
export function parseScenario(text: string, file: string): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const bad = (message: string, code = 'bad-scenario'): { diagnostics: Diagnostic[] } => {
    diagnostics.push({ severity: 'error', code, message, file });
    return { diagnostics };
  };
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: e.message, file, line: e.linePos?.[0]?.line });
    return { diagnostics };
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('a scenario is a YAML mapping');
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || !o.name) return bad('missing "name"');
  if (typeof o.strategy !== 'string' || !/^ADS-\d{4}$/.test(o.strategy)) return bad('"strategy" must be an ADS id such as ADS-0001');
  if (o.kind !== 'positive' && o.kind !== 'benign') return bad('"kind" must be positive or benign');
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) return bad('"inputs" must list at least one telemetry file');
  const dir = dirname(file);
  const inputs: ScenarioInput[] = [];
  for (const [i, inp] of o.inputs.entries()) {
    if (inp === null || typeof inp !== 'object' || typeof (inp as Record<string, unknown>).file !== 'string') return bad(`inputs[${i}] needs a "file"`);
    const r = inp as Record<string, unknown>;
    if (r.format !== undefined && !FORMATS.includes(r.format as FileFormat))
      return bad(`inputs[${i}].format "${textOf(r.format)}" is not one of ${FORMATS.join(', ')}`);
    if (r.inspect !== undefined && typeof r.inspect !== 'string') return bad(`inputs[${i}].inspect must be a file name`);
    inputs.push({
      file: resolve(dir, r.file as string),
      ...(r.format ? { format: r.format as FileFormat } : {}),
      ...(r.inspect ? { inspect: resolve(dir, r.inspect) } : {}),
    });
  }
  const expect = (o.expect ?? {}) as Record<string, unknown>;
  let fire: string[] = [];
  let quiet: string[] | 'all' = [];
  if (o.kind === 'positive') {
    if (!isStringList(expect.fire) || expect.fire.length === 0) return bad('a positive scenario needs expect.fire: the rule ids that must fire');
    fire = expect.fire;
  } else {
    if (expect.quiet === 'all') quiet = 'all';
    else if (isStringList(expect.quiet) && expect.quiet.length > 0) quiet = expect.quiet;
    else return bad('a benign scenario needs expect.quiet: "all" or the rule ids that must not fire');
  }
  return {
    scenario: {
      name: o.name,
      strategy: o.strategy,
      kind: o.kind,
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      ...(typeof o.telemetry === 'string' ? { telemetry: o.telemetry } : {}),
      inputs,
      fire,
      quiet,
      file,
    },
    diagnostics,
  };
}

/** Every scenario under `<content>/<strategy>/scenarios/*.yml`, sorted by strategy then name. */
export async function loadScenarios(contentDir: string): Promise<{ scenarios: Scenario[]; diagnostics: Diagnostic[] }> {
  const scenarios: Scenario[] = [];
  const diagnostics: Diagnostic[] = [];
  let entries: string[];
  try {
    entries = (await readdir(contentDir)).sort();
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'content-unreadable', message: (e as Error).message, file: contentDir });
    return { scenarios, diagnostics };
  }
  for (const name of entries) {
    const dir = join(contentDir, name, 'scenarios');
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.yml') || n.endsWith('.yaml')).sort()) {
      const file = join(dir, f);
      const r = parseScenario(await readFile(file, 'utf8'), file);
      diagnostics.push(...r.diagnostics);
      if (r.scenario) scenarios.push(r.scenario);
    }
  }
  scenarios.sort((a, b) => a.strategy.localeCompare(b.strategy) || a.name.localeCompare(b.name));
  return { scenarios, diagnostics };
}
