// ATT&CK mapping read from Sigma tags, for rules that no detection strategy claims.
import type { AttackRef } from '../model/alert.js';
import { parseAttackTags } from '../model/attack-tags.js';

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

/** Every technique tag becomes one reference carrying every tactic tag of the rule. */
export function attackFromTags(tags: readonly string[]): AttackRef[] {
  const { techniques, tactics } = parseAttackTags(tags);
  const known = tactics.filter((t) => KNOWN_TACTICS.has(t));
  return techniques.map((technique) => ({ technique, tactics: [...known] }));
}

/** `T1562.001` belongs to `T1562` too; filters and the matrix count both. */
export function parentTechnique(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}
