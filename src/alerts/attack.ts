// ATT&CK mapping read from Sigma tags, for rules that no detection strategy claims.
import type { AttackRef } from '../model/alert.js';
import { parseAttackTags } from '../model/attack-tags.js';
import { shippedAttack, type AttackSubset } from '../model/attack-data.js';

/** Tactics in ATT&CK Enterprise kill-chain order; the coverage matrix draws its columns in this order. */
export const TACTIC_ORDER: readonly string[] = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
];

const KNOWN_TACTICS = new Set(TACTIC_ORDER);

/**
 * Every technique tag becomes one reference, placed under the tactics ATT&CK gives that technique:
 * the rule's own tactic tags only choose among those (a rule tagged `attack.command-and-control`
 * and `attack.t1059` does not put T1059 under command-and-control). A technique ATT&CK does not
 * know gets no tactic (shown as unmapped) rather than a guess.
 */
export function attackFromTags(tags: readonly string[], attack: AttackSubset | undefined = shippedAttack()): AttackRef[] {
  const { techniques, tactics } = parseAttackTags(tags);
  return techniques.map((technique) => {
    const known = attack?.techniques.get(technique);
    if (!known) return { technique, tactics: attack ? [] : tactics.filter((t) => KNOWN_TACTICS.has(t)) };
    const chosen = known.tactics.filter((t) => tactics.includes(t));
    return { technique, name: known.name, tactics: chosen.length > 0 ? chosen : [...known.tactics] };
  });
}

/** `T1562.001` belongs to `T1562` too; filters and the matrix count both. */
export function parentTechnique(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}
