// Rules for the runtime from files: Sigma rules, filters and correlations, extra pipelines
// and placeholder values, in the shape createEngine takes. Shared by scan, watch, validate, demo.
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { builtinPipelines, compileRules, loadRules, parsePipeline, type Pipeline, type RuleSet } from '../sigma/index.js';
import type { CorrelationRule } from '../sigma/correlation/types.js';
import { fieldPathsFrom } from './fields.js';
import { readText } from '../model/files.js';

export interface RuleSources {
  rules: string[];
  /** Extra pipeline files, applied with the built-in ones (they sort by priority). */
  pipelines?: string[];
  /** YAML file: placeholder name → value or list of values. */
  placeholders?: string;
}

export interface EngineRules {
  ruleset: RuleSet;
  correlations: CorrelationRule[];
  knownRules: Array<{ id: string; name?: string }>;
  fieldPaths: (field: string) => string[];
  diagnostics: Diagnostic[];
  /** Rule and correlation documents read, and how many of the rules compiled. */
  parsed: number;
  compiled: number;
  files: number;
}

export async function loadEngineRules(src: RuleSources): Promise<EngineRules> {
  const diagnostics: Diagnostic[] = [];
  const extra: Pipeline[] = [];
  for (const file of src.pipelines ?? []) {
    const text = await readText(file, diagnostics);
    if (text === undefined) continue;
    const p = parsePipeline(text, file);
    diagnostics.push(...p.diagnostics);
    if (p.pipeline) extra.push(p.pipeline);
  }
  const placeholders = src.placeholders ? await readPlaceholders(src.placeholders, diagnostics) : {};
  const load = await loadRules(src.rules);
  diagnostics.push(...load.diagnostics);
  const pipelines = [...builtinPipelines(), ...extra];
  const compiled = compileRules(load, { pipelines, placeholders });
  diagnostics.push(...compiled.diagnostics);
  return {
    ruleset: compiled.ruleset,
    correlations: load.correlations,
    knownRules: compiled.ruleset.rules().map((m) => (m.name ? { id: m.id, name: m.name } : { id: m.id })),
    fieldPaths: fieldPathsFrom(pipelines),
    diagnostics,
    parsed: load.rules.length,
    compiled: compiled.compiled,
    files: load.files,
  };
}


async function readPlaceholders(file: string, diagnostics: Diagnostic[]): Promise<Record<string, string[]>> {
  const text = await readText(file, diagnostics);
  if (text === undefined) return {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: (e as Error).message.split('\n')[0]!, file });
    return {};
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    diagnostics.push({ severity: 'error', code: 'bad-placeholders', message: 'placeholders file must map names to a value or a list of values', file });
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) {
      diagnostics.push({ severity: 'error', code: 'bad-placeholders', message: `placeholder ${k} must be a value or a list of values`, file });
      continue;
    }
    out[k.replace(/^%|%$/g, '')] = list.map(String);
  }
  return out;
}
