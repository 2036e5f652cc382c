// ATT&CK Navigator layer of what the shipped strategies and rules cover: one entry per
// (technique, tactic), scored by how many rules detect it, commented with the strategies.
import { splitAttackTags, type AttackCatalog } from './attack.js';
import type { RuleDoc } from './rules.js';
import type { Strategy } from './strategy.js';

export interface NavigatorTechnique {
  techniqueID: string;
  tactic: string;
  score: number;
  color?: string;
  comment: string;
  enabled: boolean;
  metadata: { name: string; value: string }[];
  showSubtechniques: boolean;
}

export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: string };
  domain: 'enterprise-attack';
  description: string;
  sorting: number;
  layout: { layout: string; showName: boolean; showID: boolean };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  metadata: { name: string; value: string }[];
  showTacticRowBackground: boolean;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
}

interface Cell {
  technique: string;
  tactic: string;
  rules: RuleDoc[];
  strategies: Set<string>;
}

/**
 * Builds the layer. Every rule counts under the techniques its tags name, placed under the
 * tactics its strategy maps for that technique (or its own tactic tags when unowned).
 */
export function buildNavigatorLayer(
  strategies: readonly Strategy[],
  rules: readonly RuleDoc[],
  attack?: AttackCatalog,
  name = 'stowaway coverage',
): NavigatorLayer {
  const owner = new Map<string, Strategy>();
  for (const s of strategies) for (const id of [...s.rules, ...s.analytics]) if (!owner.has(id)) owner.set(id, s);
  const cells = new Map<string, Cell>();
  const add = (technique: string, tactic: string, r: RuleDoc | undefined, s: Strategy | undefined): void => {
    const key = `${technique}|${tactic}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { technique, tactic, rules: [], strategies: new Set() }));
    if (r && !c.rules.includes(r)) c.rules.push(r);
    if (s?.id) c.strategies.add(s.id);
  };
  for (const r of rules) {
    if (!r.id || r.kind === 'filter') continue;
    const s = owner.get(r.id);
    const tags = splitAttackTags(r.tags);
    for (const t of tags.techniques) {
      const mapped = s?.attack.find((a) => a.technique === t)?.tactics;
      const fromAttack = attack?.techniques.get(t)?.tactics ?? [];
      let tactics = mapped && mapped.length > 0 ? mapped : tags.tactics.filter((x) => fromAttack.length === 0 || fromAttack.includes(x));
      if (tactics.length === 0) tactics = fromAttack;
      for (const tac of tactics) add(t, tac, r, s);
    }
  }
  // Mapped by a strategy but with no rule yet: shown at score 0 so the gap is visible.
  for (const s of strategies) for (const a of s.attack) for (const tac of a.tactics) add(a.technique, tac, undefined, s);

  const max = Math.max(1, ...[...cells.values()].map((c) => c.rules.length));
  const techniques: NavigatorTechnique[] = [...cells.values()]
    .sort((a, b) => a.technique.localeCompare(b.technique) || a.tactic.localeCompare(b.tactic))
    .map((c) => ({
      techniqueID: c.technique,
      tactic: c.tactic,
      score: c.rules.length,
      comment:
        c.rules.length > 0
          ? `${c.rules.length} rule(s) in ${[...c.strategies].sort().join(', ') || 'no strategy'}: ${c.rules.map((r) => r.title ?? r.id).join('; ')}`
          : `mapped by ${[...c.strategies].sort().join(', ')} but no rule detects it yet`,
      enabled: true,
      metadata: [
        ...[...c.strategies].sort().map((s) => ({ name: 'strategy', value: s })),
        ...c.rules.map((r) => ({ name: r.kind === 'analytic' ? 'analytic' : 'rule', value: `${r.id} ${r.title ?? ''}`.trim() })),
      ],
      showSubtechniques: false,
    }));
  return {
    name,
    versions: {
      attack: majorVersion(attack?.version) ?? majorVersion(mostCommon(strategies.map((s) => s.attack_version))) ?? '18',
      navigator: '5.1.0',
      layer: '4.5',
    },
    domain: 'enterprise-attack',
    description: `Techniques detected by ${strategies.length} stowaway detection strategies and ${rules.filter((r) => r.kind !== 'filter').length} rules; score = number of rules.`,
    sorting: 3,
    layout: { layout: 'side', showName: true, showID: true },
    hideDisabled: false,
    techniques,
    gradient: { colors: ['#ffe0b2', '#66bb6a'], minValue: 0, maxValue: max },
    legendItems: [
      { label: 'mapped, no rule yet', color: '#ffe0b2' },
      { label: `${max} rule(s)`, color: '#66bb6a' },
    ],
    metadata: strategies.filter((s) => s.id).map((s) => ({ name: s.id!, value: s.title })),
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
  };
}

function mostCommon(xs: readonly (string | undefined)[]): string | undefined {
  const n = new Map<string, number>();
  for (const x of xs) if (x) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function majorVersion(v: string | undefined): string | undefined {
  return v ? v.split('.')[0] : undefined;
}
