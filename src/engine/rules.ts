// Rules for the runtime from files: Sigma rules, filters and correlations, extra pipelines
// and placeholder values, in the shape createEngine takes. Shared by scan, watch, validate, demo.
import type { Diagnostic } from '../model/diagnostic.js';
import {
  builtinPipelines,
  compileRules,
  loadRules,
  openOutcomeCache,
  openParseCache,
  parsePipeline,
  readPlaceholderFiles,
  type CacheStats,
  type Pipeline,
  type RuleSet,
} from '../sigma/index.js';
import type { CorrelationRule } from '../sigma/correlation/types.js';
import { fieldPathsFrom } from './fields.js';
import { readText } from '../model/files.js';

export interface RuleSources {
  rules: string[];
  /** Extra pipeline files, applied with the built-in ones (they sort by priority). */
  pipelines?: string[];
  /** YAML files of placeholder name → value or list of values, each layered over the ones before. */
  placeholders?: string | readonly string[];
  /** Directory of the rule cache (parsed rule files from earlier runs); omitted: no cache. */
  cache?: string;
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
  /** How the rule cache served this load, when one was used. */
  cache?: CacheStats & { loadMs: number; saveError?: string };
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
  const files = src.placeholders === undefined ? [] : typeof src.placeholders === 'string' ? [src.placeholders] : src.placeholders;
  const { placeholders, diagnostics: pd } = await readPlaceholderFiles(files);
  diagnostics.push(...pd);
  const started = performance.now();
  const cache = src.cache === undefined ? undefined : await openParseCache(src.cache);
  const load = await loadRules(src.rules, cache ? { cache } : {});
  // Saved before compiling: compiling must not see (or alter) what the cache will hold.
  const saveError = await cache?.save();
  diagnostics.push(...load.diagnostics);
  const pipelines = [...builtinPipelines(), ...extra];
  // With the cache, rules are checked at load from their recorded outcomes and compiled when an event reaches them.
  const outcomes = src.cache === undefined ? undefined : await openOutcomeCache(src.cache);
  const compiled = compileRules(load, { pipelines, placeholders, ...(outcomes ? { outcomes } : {}) });
  diagnostics.push(...compiled.diagnostics);
  const outcomeError = await outcomes?.save();
  return {
    ruleset: compiled.ruleset,
    correlations: load.correlations,
    knownRules: compiled.ruleset.rules().map((m) => (m.name ? { id: m.id, name: m.name } : { id: m.id })),
    fieldPaths: fieldPathsFrom(pipelines),
    diagnostics,
    parsed: load.rules.length,
    compiled: compiled.compiled,
    files: load.files,
    ...(cache
      ? {
          cache: {
            ...cache.stats,
            loadMs: Math.round(performance.now() - started),
            ...((saveError ?? outcomeError) ? { saveError: saveError ?? outcomeError } : {}),
          },
        }
      : {}),
  };
}
