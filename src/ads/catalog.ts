// The shipped detection strategies as a catalog: which ADS owns a rule, with the analyst's
// response checklist and the ATT&CK mapping an alert should carry.
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttackRef, StrategyRef } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { splitAttackTags } from './attack.js';
import { attackFromTags } from '../alerts/attack.js';
import { readRuleDocs, type RuleDoc } from './rules.js';
import { parseStrategy, type Strategy } from './strategy.js';

export interface StrategyCatalog {
  forRule(ruleId: string): { strategy: StrategyRef; attack: AttackRef[] } | undefined;
  strategies(): Strategy[];
  /** Rule documents found in the strategies' rules folders. */
  rules(): RuleDoc[];
}

const here = dirname(fileURLToPath(import.meta.url)); // src/ads or dist/ads

/** content/ of this installation (works from src/ with tsx and from dist/). */
export function defaultContentDir(): string {
  return resolve(here, '..', '..', 'content');
}

export function defaultStrategiesDir(): string {
  return join(defaultContentDir(), 'strategies');
}

/** The shipped default values for rule placeholders (`|expand`). */
export function contentPlaceholdersPath(dir = defaultStrategiesDir()): string {
  return join(dir, 'placeholders.yml');
}

/** Strategy folders: directories holding a strategy.md. */
export async function strategyDirs(dir = defaultStrategiesDir()): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await readdir(dir).catch(() => [] as string[])).sort()) {
    const p = join(dir, n);
    if ((await stat(join(p, 'strategy.md')).catch(() => undefined))?.isFile()) out.push(p);
  }
  return out;
}

/** The rule folders of every shipped strategy, for loadRules. */
export async function contentRulePaths(dir = defaultStrategiesDir()): Promise<string[]> {
  const out: string[] = [];
  for (const d of await strategyDirs(dir)) if ((await stat(join(d, 'rules')).catch(() => undefined))?.isDirectory()) out.push(join(d, 'rules'));
  return out;
}

/**
 * The ADS mapping entries a rule's tags name; all of them when the rule names no technique; the
 * rule's own tags when it names techniques the strategy does not map (an analytic serving a
 * strategy with its own mapping, e.g. a CPU spike tagged T1496).
 */
export function attackForRule(strategy: Strategy, tags: readonly string[], names?: Map<string, string>): AttackRef[] {
  const { techniques } = splitAttackTags(tags);
  const chosen = techniques.length > 0 ? strategy.attack.filter((a) => techniques.includes(a.technique)) : strategy.attack;
  // Tactics of techniques the strategy does not map come from ATT&CK, never from the tags alone.
  if (chosen.length === 0 && techniques.length > 0)
    return attackFromTags(tags).map((a) => ({ ...a, ...(names?.get(a.technique) ? { name: names.get(a.technique)! } : {}) }));
  return (chosen.length > 0 ? chosen : strategy.attack).map((a) => {
    const name = a.name ?? names?.get(a.technique);
    return { technique: a.technique, ...(name ? { name } : {}), tactics: [...a.tactics] };
  });
}

export function strategyRef(s: Strategy, base?: string): StrategyRef {
  return {
    id: s.id ?? s.file,
    title: s.title,
    priority: s.priority ?? 'medium',
    response: [...s.response],
    ...(base ? { url: relative(base, s.file) } : {}),
  };
}

export async function loadStrategies(dir = defaultStrategiesDir()): Promise<{ catalog: StrategyCatalog; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const strategies: Strategy[] = [];
  const allRules: RuleDoc[] = [];
  const byRule = new Map<string, { strategy: StrategyRef; attack: AttackRef[] }>();
  const base = resolve(dir, '..', '..');
  // Analytics live beside the strategies (content/analytics); their tags say what they detect.
  const analyticTags = new Map((await readRuleDocs([join(dir, '..', 'analytics')], 'analytics')).rules.filter((r) => r.id).map((r) => [r.id!, r.tags]));
  for (const d of await strategyDirs(dir)) {
    const file = join(d, 'strategy.md');
    const { strategy, diagnostics: ds } = parseStrategy(await readFile(file, 'utf8'), file);
    diagnostics.push(...ds);
    if (!strategy.id) {
      diagnostics.push({ severity: 'error', code: 'ads-id', message: 'strategy has no id in its front matter; its rules are not linked to it', file });
      continue;
    }
    strategies.push(strategy);
    const { rules, diagnostics: rd } = await readRuleDocs([join(d, 'rules')]);
    diagnostics.push(...rd);
    allRules.push(...rules);
    const ref = strategyRef(strategy, base);
    // Filters tune rules and never produce findings: they belong to no alert.
    const tagsById = new Map(rules.filter((r) => r.id && r.kind !== 'filter').map((r) => [r.id!, r.tags]));
    // The front matter is the contract; rules only in the folder still belong to the strategy.
    for (const id of new Set([...strategy.rules, ...tagsById.keys()])) {
      if (byRule.has(id)) {
        diagnostics.push({
          severity: 'error',
          code: 'ads-rule-owner',
          message: `rule ${id} is claimed by ${byRule.get(id)!.strategy.id} and ${strategy.id}`,
          file,
        });
        continue;
      }
      byRule.set(id, { strategy: ref, attack: attackForRule(strategy, tagsById.get(id) ?? []) });
    }
    // Analytics may serve several strategies; their alerts go to the first that names them.
    for (const id of strategy.analytics) if (!byRule.has(id)) byRule.set(id, { strategy: ref, attack: attackForRule(strategy, analyticTags.get(id) ?? []) });
  }
  const catalog: StrategyCatalog = {
    forRule: (id) => {
      const hit = byRule.get(id);
      return hit
        ? { strategy: { ...hit.strategy, response: [...hit.strategy.response] }, attack: hit.attack.map((a) => ({ ...a, tactics: [...a.tactics] })) }
        : undefined;
    },
    strategies: () => [...strategies],
    rules: () => [...allRules],
  };
  return { catalog, diagnostics };
}
