// ATT&CK mapping read from Sigma tags, for rules that no detection strategy claims.
import type { AttackRef } from '../model/alert.js';

const TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
const TACTIC = /^attack\.([a-z][a-z_-]+)$/i;

/** Tactic tags use either `privilege-escalation` or the older `privilege_escalation`; ATT&CK uses dashes. */
function tacticName(tag: string): string {
  return tag.toLowerCase().replace(/_/g, '-');
}

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
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const tag of tags) {
    const t = TECHNIQUE.exec(tag);
    if (t) {
      const id = t[1]!.toUpperCase();
      if (!techniques.includes(id)) techniques.push(id);
      continue;
    }
    const m = TACTIC.exec(tag);
    if (m) {
      const name = tacticName(m[1]!);
      if (KNOWN_TACTICS.has(name) && !tactics.includes(name)) tactics.push(name);
    }
  }
  return techniques.map((technique) => ({ technique, tactics: [...tactics] }));
}

/** `T1562.001` belongs to `T1562` too; filters and the matrix count both. */
export function parentTechnique(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}
