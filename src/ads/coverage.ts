// ATT&CK coverage of loaded content, computed once for every place that shows it: the
// `coverage` command, the Navigator layer and the page's /api/coverage. A rule counts under the
// techniques its strategy maps for it (or its own technique tags when no strategy owns it),
// placed under the tactics the strategy gives, else the tactics ATT&CK gives: never guessed
// from tactic tags alone.
import type { AttackRef, StrategyRef } from '../model/alert.js';
import { shippedAttack, type AttackSubset } from '../model/attack-data.js';
import { attackFromTags, TACTIC_ORDER } from '../alerts/attack.js';

/** What coverage needs to know of a rule (RuleMeta and RuleDoc both fit). */
export interface CoverageRule {
  id: string;
  title: string;
  level: string;
  kind: string;
  tags: readonly string[];
}

/** The strategy catalog's answer for a rule, and the strategies' own mapping (for gaps). */
export interface CoverageCatalog {
  forRule(ruleId: string): { strategy: StrategyRef; attack: AttackRef[] } | undefined;
  strategies?(): readonly { id?: string; title: string; attack: readonly { technique: string; name?: string; tactics: readonly string[] }[] }[];
}

export interface CoverageCell {
  technique: string;
  name?: string;
  rules: { id: string; title: string; level: string; kind: string }[];
  strategies: string[];
}

export interface CoverageMatrix {
  /** Tactics in kill-chain order, then any others (`unmapped`: techniques ATT&CK does not know). */
  tactics: { tactic: string; techniques: CoverageCell[] }[];
  /** Distinct rules (Sigma, correlations, analytics) that detect at least one technique. */
  rules: number;
  /** Distinct techniques at least one rule detects. */
  techniques: number;
  /** Rules given, filters excluded, whether or not they map to a technique. */
  loaded: number;
  strategies: { id: string; title: string }[];
  /** Techniques a strategy maps that no loaded rule detects yet. */
  gaps: { technique: string; name?: string; tactic: string; strategies: string[] }[];
  /** Where technique names and tactics come from. */
  attack: { version?: string; source: string; attribution: string };
}

export function computeCoverage(rules: readonly CoverageRule[], catalog?: CoverageCatalog, attack: AttackSubset | undefined = shippedAttack()): CoverageMatrix {
  const cells = new Map<string, CoverageCell>(); // tactic \0 technique
  const strategies = new Map<string, { id: string; title: string }>();
  const techniques = new Set<string>();
  const counted = new Set<string>();
  let loaded = 0;
  const cell = (tactic: string, technique: string): CoverageCell => {
    const k = `${tactic}\u0000${technique}`;
    let c = cells.get(k);
    if (!c) {
      c = { technique, rules: [], strategies: [] };
      const name = attack?.techniques.get(technique)?.name;
      if (name) c.name = name;
      cells.set(k, c);
    }
    return c;
  };
  for (const r of rules) {
    if (r.kind === 'filter') continue;
    loaded++;
    const found = catalog?.forRule(r.id);
    const refs: AttackRef[] = found && found.attack.length ? found.attack : attackFromTags(r.tags, attack);
    if (found) strategies.set(found.strategy.id, { id: found.strategy.id, title: found.strategy.title });
    for (const a of refs) {
      techniques.add(a.technique);
      counted.add(r.id);
      for (const tactic of a.tactics.length ? a.tactics : ['unmapped']) {
        const c = cell(tactic, a.technique);
        if (a.name && !c.name) c.name = a.name;
        if (!c.rules.some((x) => x.id === r.id)) c.rules.push({ id: r.id, title: r.title, level: r.level, kind: r.kind });
        if (found && !c.strategies.includes(found.strategy.id)) c.strategies.push(found.strategy.id);
      }
    }
  }
  const gaps: CoverageMatrix['gaps'] = [];
  for (const s of catalog?.strategies?.() ?? []) {
    if (s.id && !strategies.has(s.id)) strategies.set(s.id, { id: s.id, title: s.title });
    for (const a of s.attack)
      for (const tactic of a.tactics) {
        if (cells.has(`${tactic}\u0000${a.technique}`)) continue;
        const name = a.name ?? attack?.techniques.get(a.technique)?.name;
        const g = gaps.find((x) => x.technique === a.technique && x.tactic === tactic);
        if (g) {
          if (s.id && !g.strategies.includes(s.id)) g.strategies.push(s.id);
        } else gaps.push({ technique: a.technique, ...(name ? { name } : {}), tactic, strategies: s.id ? [s.id] : [] });
      }
  }
  const byTactic = new Map<string, CoverageCell[]>();
  for (const [k, c] of cells) {
    const tactic = k.split('\u0000')[0]!;
    if (!byTactic.has(tactic)) byTactic.set(tactic, []);
    byTactic.get(tactic)!.push(c);
  }
  const order = [...TACTIC_ORDER, ...[...byTactic.keys()].filter((t) => !TACTIC_ORDER.includes(t)).sort()];
  return {
    tactics: order.map((tactic) => ({ tactic, techniques: (byTactic.get(tactic) ?? []).sort((a, b) => a.technique.localeCompare(b.technique)) })),
    rules: counted.size,
    techniques: techniques.size,
    loaded,
    strategies: [...strategies.values()].sort((a, b) => a.id.localeCompare(b.id)),
    gaps: gaps.sort((a, b) => a.technique.localeCompare(b.technique) || a.tactic.localeCompare(b.tactic)),
    attack: { ...(attack?.version ? { version: attack.version } : {}), source: attack?.file ?? 'none', attribution: attack?.attribution ?? '' },
  };
}

/** The one sentence every place prints, so the figures read the same everywhere. */
export function coverageSentence(m: Pick<CoverageMatrix, 'rules' | 'techniques' | 'strategies' | 'loaded'>): string {
  return `${m.rules} rules and analytics (of ${m.loaded} loaded) in ${m.strategies.length} strategies detect ${m.techniques} ATT&CK techniques`;
}
