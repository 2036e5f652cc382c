// The shipped content, assembled once for the commands that run it (`demo`, `start`):
// Sigma rules and correlations of every strategy, their placeholders, the analytics,
// and the ADS catalog that gives alerts their strategy and response steps.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type Database from 'better-sqlite3';
import type { Diagnostic } from '../model/diagnostic.js';
import type { RuleMeta } from '../model/alert.js';
import { loadRules, compileRules } from '../sigma/index.js';
import { createEngine, type Engine } from '../engine/index.js';
import { loadAnalytics, loadAnalyticDefs } from '../analytics/index.js';
import { loadStrategies } from '../ads/index.js';
import type { StrategyLookup } from './build.js';

export interface Content {
  contentDir: string;
  rules: RuleMeta[];
  catalog?: StrategyLookup;
  /** Why the catalog is absent, when it is. */
  catalogNote?: string;
  diagnostics: Diagnostic[];
  counts: { ruleFiles: number; rules: number; correlations: number; analytics: number; refused: number };
  /** A fresh engine over this content (each replay starts with empty windows). */
  engine(): Engine;
}

/** The package root's `content/`, two levels above both `src/alerts` and `dist/alerts`. */
export function defaultContentDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'content');
}

function ruleDirs(contentDir: string): string[] {
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

function loadPlaceholders(file: string, diagnostics: Diagnostic[]): Record<string, string[]> {
  if (!existsSync(file)) return {};
  try {
    const doc = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(doc ?? {})) out[k] = (Array.isArray(v) ? v : [v]).map(String);
    return out;
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'placeholders', message: (e as Error).message, file });
    return {};
  }
}

/** Alerts still carry ATT&CK from rule tags when the strategies cannot be read; the note says why. */
async function loadCatalog(contentDir: string): Promise<{ catalog?: StrategyLookup; note?: string; diagnostics: Diagnostic[] }> {
  try {
    const { catalog, diagnostics } = await loadStrategies(join(contentDir, 'strategies'));
    return { catalog, diagnostics };
  } catch (e) {
    return { note: `ADS catalog failed to load (${(e as Error).message}); alerts carry ATT&CK from rule tags`, diagnostics: [] };
  }
}

/**
 * `db` persists what analytics learn; leave it out for replays, whose events must not
 * teach the live baselines.
 */
export async function loadContent(opts: { contentDir?: string; db?: Database.Database; analytics?: boolean } = {}): Promise<Content> {
  const contentDir = resolve(opts.contentDir ?? defaultContentDir());
  const diagnostics: Diagnostic[] = [];
  const loaded = await loadRules(ruleDirs(contentDir));
  diagnostics.push(...loaded.diagnostics);
  const placeholders = loadPlaceholders(join(contentDir, 'strategies', 'placeholders.yml'), diagnostics);
  const compiled = compileRules(loaded, { placeholders });
  diagnostics.push(...compiled.diagnostics);
  const known = loaded.rules.filter((r) => r.id).map((r) => ({ id: r.id!, name: r.name }));
  const analyticsDir = join(contentDir, 'analytics');
  const wantAnalytics = opts.analytics !== false && existsSync(analyticsDir);
  const cat = await loadCatalog(contentDir);
  diagnostics.push(...cat.diagnostics);
  const rules: RuleMeta[] = [...compiled.ruleset.rules()];
  for (const c of loaded.correlations) {
    rules.push({ id: c.id ?? c.name ?? c.title, title: c.title, kind: 'correlation', level: (c as { level?: RuleMeta['level'] }).level ?? 'medium', tags: (c as { tags?: string[] }).tags ?? [] });
  }
  if (wantAnalytics) {
    for (const d of loadAnalyticDefs([analyticsDir]).defs) rules.push({ id: d.id, title: d.title, kind: 'analytic', level: d.level, tags: d.tags });
  }
  let analyticsCount = 0;
  const engine = (): Engine => {
    const an = wantAnalytics ? loadAnalytics([analyticsDir], { store: opts.db }) : { detectors: [], diagnostics: [] };
    analyticsCount = an.detectors.length;
    const e = createEngine({ ruleset: compiled.ruleset, correlations: loaded.correlations, detectors: an.detectors, knownRules: known, lateness: '5s' });
    return e;
  };
  // Build one engine now so refusals are reported at load time, not on first use.
  const probe = engine();
  diagnostics.push(...probe.diagnostics);
  const errors = diagnostics.filter((d) => d.severity === 'error' && d.rule).length;
  const content: Content = {
    contentDir,
    rules,
    diagnostics,
    counts: { ruleFiles: loaded.files, rules: compiled.compiled, correlations: loaded.correlations.length, analytics: analyticsCount, refused: errors },
    engine,
  };
  if (cat.catalog) content.catalog = cat.catalog;
  if (cat.note) content.catalogNote = cat.note;
  return content;
}
