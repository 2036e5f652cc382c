// ATT&CK coverage of the loaded content: which techniques, under which tactics, have
// at least one rule — and through which detection strategies.
import type { AttackRef, RuleMeta, StrategyRef } from '../model/alert.js';
import { attackFromTags, TACTIC_ORDER } from '../alerts/attack.js';
import type { StrategyLookup } from '../alerts/build.js';

export interface CoverageCell {
  technique: string;
  name?: string;
  rules: { id: string; title: string; level: string }[];
  strategies: string[];
}

export interface CoverageMatrix {
  tactics: { tactic: string; techniques: CoverageCell[] }[];
  rules: number;
  techniques: number;
  strategies: { id: string; title: string }[];
}

export function coverageOf(rules: readonly RuleMeta[], catalog?: StrategyLookup): CoverageMatrix {
  const cells = new Map<string, CoverageCell>(); // tactic \0 technique
  const strategies = new Map<string, StrategyRef>();
  const techniques = new Set<string>();
  for (const r of rules) {
    const found = catalog?.forRule(r.id);
    const attack: AttackRef[] = found && found.attack.length ? found.attack : attackFromTags(r.tags);
    if (found) strategies.set(found.strategy.id, found.strategy);
    for (const a of attack) {
      techniques.add(a.technique);
      for (const tactic of a.tactics.length ? a.tactics : ['unmapped']) {
        const k = `${tactic}\u0000${a.technique}`;
        let c = cells.get(k);
        if (!c) {
          c = { technique: a.technique, rules: [], strategies: [] };
          cells.set(k, c);
        }
        if (a.name && !c.name) c.name = a.name;
        if (!c.rules.some((x) => x.id === r.id)) c.rules.push({ id: r.id, title: r.title, level: r.level });
        if (found && !c.strategies.includes(found.strategy.id)) c.strategies.push(found.strategy.id);
      }
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
    rules: rules.length,
    techniques: techniques.size,
    strategies: [...strategies.values()].map((s) => ({ id: s.id, title: s.title })),
  };
}
