// ATT&CK Navigator layer of what the loaded content covers: one entry per (technique, tactic),
// scored by how many rules detect it, commented with the strategies. Built from the same
// coverage matrix the `coverage` table and the page show, so the figures agree.
import { coverageSentence, type CoverageMatrix } from './coverage.js';

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

/**
 * The layer of a coverage matrix (computeCoverage): one entry per (technique, tactic) scored by
 * its rules, and the strategies' mapped techniques without a rule at score 0 so the gap shows.
 */
export function buildNavigatorLayer(m: CoverageMatrix, name = 'stowaway coverage'): NavigatorLayer {
  const entries: NavigatorTechnique[] = [];
  for (const { tactic, techniques } of m.tactics)
    for (const c of techniques)
      entries.push({
        techniqueID: c.technique,
        tactic,
        score: c.rules.length,
        comment: `${c.rules.length} rule(s) in ${[...c.strategies].sort().join(', ') || 'no strategy'}: ${c.rules.map((r) => r.title || r.id).join('; ')}`,
        enabled: true,
        metadata: [
          ...[...c.strategies].sort().map((s) => ({ name: 'strategy', value: s })),
          ...c.rules.map((r) => ({ name: r.kind === 'analytic' ? 'analytic' : 'rule', value: `${r.id} ${r.title}`.trim() })),
        ],
        showSubtechniques: false,
      });
  for (const g of m.gaps)
    entries.push({
      techniqueID: g.technique,
      tactic: g.tactic,
      score: 0,
      comment: `mapped by ${[...g.strategies].sort().join(', ')} but no rule detects it yet`,
      enabled: true,
      metadata: [...g.strategies].sort().map((s) => ({ name: 'strategy', value: s })),
      showSubtechniques: false,
    });
  entries.sort((a, b) => a.techniqueID.localeCompare(b.techniqueID) || a.tactic.localeCompare(b.tactic));
  const max = Math.max(1, ...entries.map((e) => e.score));
  return {
    name,
    versions: { attack: majorVersion(m.attack.version) ?? '18', navigator: '5.1.0', layer: '4.5' },
    domain: 'enterprise-attack',
    description: `${coverageSentence(m)}; score = number of rules. ${m.attack.attribution}`.trim(),
    sorting: 3,
    layout: { layout: 'side', showName: true, showID: true },
    hideDisabled: false,
    techniques: entries,
    gradient: { colors: ['#ffe0b2', '#66bb6a'], minValue: 0, maxValue: max },
    legendItems: [
      { label: 'mapped, no rule yet', color: '#ffe0b2' },
      { label: `${max} rule(s)`, color: '#66bb6a' },
    ],
    metadata: [
      ...m.strategies.map((s) => ({ name: s.id, value: s.title })),
      { name: 'rules', value: String(m.rules) },
      { name: 'techniques', value: String(m.techniques) },
    ],
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
  };
}

function majorVersion(v: string | undefined): string | undefined {
  return v ? v.split('.')[0] : undefined;
}
