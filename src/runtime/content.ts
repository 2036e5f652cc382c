// The content a running pipeline detects with, assembled once: Sigma rules and correlations of
// every strategy, their placeholders (the allowlists), the analytics, and the ADS catalog that
// gives alerts their strategy and response steps. The user's rule folders and placeholder files
// are added to the built-in content here and nowhere else (docs/tuning.md).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { Diagnostic } from '../model/diagnostic.js';
import type { RuleMeta } from '../model/alert.js';
import { createEngine, loadEngineRules, type Engine, type MatchingRuleSet } from '../engine/index.js';
import type { EngineRules, RuleSources } from '../engine/rules.js';
import type { Detector } from '../engine/types.js';
import { loadAnalytics, loadAnalyticDefs, type AnalyticsStore } from '../analytics/index.js';
import { parseDuration } from '../sigma/correlation/index.js';
import { loadStrategies, type StrategyCatalog } from '../ads/index.js';

export interface Content {
  contentDir: string;
  rules: RuleMeta[];
  catalog?: StrategyCatalog;
  /** Why the catalog is absent, when it is. */
  catalogNote?: string;
  diagnostics: Diagnostic[];
  counts: { ruleFiles: number; rules: number; correlations: number; analytics: number; refused: number };
  /** Placeholder files read, built-in first: later files add to or replace earlier lists. */
  placeholderFiles: string[];
  /** Rule folders read, built-in first. */
  ruleDirs: string[];
  /**
   * A fresh engine over this content (each replay starts with empty windows). `part` builds only
   * the Sigma rules and correlations, or only the analytics (fleet workers replay the former
   * from the stream and restore the latter from a checkpoint); `analytics` replaces where the
   * analytics keep their state.
   */
  engine(opts?: EnginePartOptions): Engine;
  /** The longest correlation timespan plus lateness: how far back correlation state can reach. */
  stateHorizonMs: number;
}

export interface EnginePartOptions {
  part?: 'all' | 'rules' | 'analytics';
  analytics?: AnalyticsStore;
}

export interface ContentOptions {
  /** Replaces the built-in content root (a folder with strategies/ and analytics/). */
  contentDir?: string;
  /** Rule folders or files added to the content's own. */
  rules?: readonly string[];
  /** Placeholder files layered over the content's placeholders.yml, in order. */
  placeholders?: readonly string[];
  /** Persists what analytics learn; leave it out for replays, whose events must not teach the live baselines. */
  db?: Database.Database;
  analytics?: boolean;
}

/** The rule set of an analytics-only engine. */
const NO_RULES = { match: () => [] };

/** Engine lateness of every command: replays close windows the way live runs do. */
export const LATENESS = '5s';

/**
 * Rules, correlations, pipelines and placeholders as every command reads them: `start` and `demo`
 * through loadContent, `scan` and `validate` over the paths they are given. One reader, so one
 * placeholder file means the same allowlist to all of them.
 */
export function loadRules(src: RuleSources): Promise<EngineRules> {
  return loadEngineRules(src);
}

export interface EngineBuild {
  /** Replaces the loaded rule set (`scan --workers` hands the engine matches made on worker threads). */
  ruleset?: MatchingRuleSet;
  /** Leave the rules out (an analytics-only engine). */
  noRules?: boolean;
  detectors?: readonly Detector[];
  /** Default: LATENESS, the lateness live runs use, so replays close windows as they do. */
  lateness?: string;
}

/** A fresh engine over loaded rules: the one place the pipeline's engine is built. */
export function engineOver(rules: EngineRules, o: EngineBuild = {}): Engine {
  return createEngine({
    ruleset: o.noRules ? NO_RULES : (o.ruleset ?? rules.ruleset),
    correlations: o.noRules ? [] : rules.correlations,
    detectors: o.detectors ?? [],
    knownRules: rules.knownRules,
    fieldPaths: rules.fieldPaths,
    lateness: o.lateness ?? LATENESS,
  });
}

/** The package root's `content/`, two levels above both `src/runtime` and `dist/runtime`. */
export function defaultContentDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'content');
}

/** A content root, given either it or its strategies folder (validate takes the latter). */
export function contentRootOf(dir: string): string {
  if (existsSync(join(dir, 'strategies'))) return dir;
  return dir.replace(/[\\/]+$/, '').endsWith('strategies') ? dirname(dir) : dir;
}

export function builtinRuleDirs(contentDir: string): string[] {
  const dirs: string[] = [];
  const strategies = join(contentDir, 'strategies');
  if (existsSync(strategies)) {
    for (const name of readdirSync(strategies).sort()) {
      const d = join(strategies, name, 'rules');
      if (existsSync(d) && statSync(d).isDirectory()) dirs.push(d);
    }
  }
  const loose = join(contentDir, 'rules');
  if (existsSync(loose)) dirs.push(loose);
  return dirs;
}

/** Alerts still carry ATT&CK from rule tags when the strategies cannot be read; the note says why. */
async function loadCatalog(contentDir: string): Promise<{ catalog?: StrategyCatalog; note?: string; diagnostics: Diagnostic[] }> {
  try {
    const { catalog, diagnostics } = await loadStrategies(join(contentDir, 'strategies'));
    return { catalog, diagnostics };
  } catch (e) {
    return { note: `ADS catalog failed to load (${(e as Error).message}); alerts carry ATT&CK from rule tags`, diagnostics: [] };
  }
}

export async function loadContent(opts: ContentOptions = {}): Promise<Content> {
  const contentDir = resolve(opts.contentDir ?? defaultContentDir());
  const diagnostics: Diagnostic[] = [];
  const builtinPlaceholders = join(contentDir, 'strategies', 'placeholders.yml');
  const placeholderFiles = [...(existsSync(builtinPlaceholders) ? [builtinPlaceholders] : []), ...(opts.placeholders ?? []).map((f) => resolve(f))];
  const ruleDirs = [...builtinRuleDirs(contentDir), ...(opts.rules ?? []).map((d) => resolve(d))];
  const loaded = await loadRules({ rules: ruleDirs, placeholders: placeholderFiles });
  diagnostics.push(...loaded.diagnostics);
  const analyticsDir = join(contentDir, 'analytics');
  const wantAnalytics = opts.analytics !== false && existsSync(analyticsDir);
  const cat = await loadCatalog(contentDir);
  diagnostics.push(...cat.diagnostics);
  const rules: RuleMeta[] = [...loaded.ruleset.rules()];
  for (const c of loaded.correlations) {
    rules.push({ ...c.meta, id: c.id ?? c.name ?? c.title, title: c.title, kind: 'correlation', ...(c.file ? { file: c.file } : {}) });
  }
  if (wantAnalytics) {
    for (const d of loadAnalyticDefs([analyticsDir]).defs) rules.push({ id: d.id, title: d.title, kind: 'analytic', level: d.level, tags: d.tags });
  }
  let analyticsCount = 0;
  const engine = (o: EnginePartOptions = {}): Engine => {
    const part = o.part ?? 'all';
    const store = o.analytics ?? opts.db;
    const an = wantAnalytics && part !== 'rules' ? loadAnalytics([analyticsDir], { store }) : { detectors: [], diagnostics: [] };
    if (part !== 'rules') analyticsCount = an.detectors.length;
    return engineOver(loaded, { noRules: part === 'analytics', detectors: an.detectors });
  };
  // Build one engine now so refusals are reported at load time, not on first use.
  const probe = engine();
  diagnostics.push(...probe.diagnostics);
  const errors = diagnostics.filter((d) => d.severity === 'error' && d.rule).length;
  const content: Content = {
    contentDir,
    rules,
    diagnostics,
    placeholderFiles,
    ruleDirs,
    stateHorizonMs: Math.max(0, ...loaded.correlations.map((c) => c.timespanMs)) + (parseDuration(LATENESS) ?? 0),
    counts: { ruleFiles: loaded.files, rules: loaded.compiled, correlations: loaded.correlations.length, analytics: analyticsCount, refused: errors },
    engine,
  };
  if (cat.catalog) content.catalog = cat.catalog;
  if (cat.note) content.catalogNote = cat.note;
  return content;
}

/** Rule paths as the rule commands read them: strategy layouts resolved to their rules and placeholders. */
export interface RulePaths {
  rules: string[];
  /** The placeholders.yml of each strategies folder met, in order, before any the user gives. */
  placeholders: string[];
  /** One line per path read as a layout, for the user (`content/strategies: 5 strategies' rules/ and placeholders.yml`). */
  layouts: string[];
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** A folder of strategy folders: the subfolders that hold a strategy.md. */
function strategyFolders(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n))
    .filter((d) => isDir(d) && existsSync(join(d, 'strategy.md')));
}

/**
 * A strategy folder holds scenarios, emulations, variants and a response policy beside its rules/:
 * none of those are Sigma rules. Given a content root, a strategies folder or one strategy folder,
 * only the rules/ folders are read, with the strategies' placeholders.yml (the rules' allowlists
 * are incomplete without it). Any other path is read as given.
 */
export function resolveRulePaths(paths: readonly string[]): RulePaths {
  const out: RulePaths = { rules: [], placeholders: [], layouts: [] };
  const addPlaceholders = (strategiesDir: string): void => {
    const f = join(strategiesDir, 'placeholders.yml');
    if (existsSync(f) && !out.placeholders.includes(f)) out.placeholders.push(f);
  };
  for (const p of paths) {
    if (!isDir(p)) {
      out.rules.push(p);
      continue;
    }
    const strategiesDir = isDir(join(p, 'strategies')) && strategyFolders(join(p, 'strategies')).length > 0 ? join(p, 'strategies') : undefined;
    if (strategiesDir || strategyFolders(p).length > 0) {
      const root = strategiesDir ?? p;
      const folders = strategyFolders(root);
      const rules = folders.map((d) => join(d, 'rules')).filter(isDir);
      if (strategiesDir && isDir(join(p, 'rules'))) rules.push(join(p, 'rules'));
      out.rules.push(...rules);
      addPlaceholders(root);
      out.layouts.push(`${p}: the rules/ of ${folders.length} strategies${existsSync(join(root, 'placeholders.yml')) ? ' and placeholders.yml' : ''}`);
    } else if (existsSync(join(p, 'strategy.md'))) {
      if (isDir(join(p, 'rules'))) out.rules.push(join(p, 'rules'));
      addPlaceholders(dirname(resolve(p)));
      out.layouts.push(`${p}: one strategy's rules/${existsSync(join(dirname(resolve(p)), 'placeholders.yml')) ? ' and ../placeholders.yml' : ''}`);
    } else out.rules.push(p);
  }
  return out;
}
