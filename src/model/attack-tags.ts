// ATT&CK references in Sigma tags (`attack.t1562.001`, `attack.defense-evasion`), read one way
// for alerts, coverage, lint and the Navigator layer.

const TAG = /^attack\.(.+)$/i;
const TECHNIQUE = /^t\d{4}(\.\d{3})?$/i;
/** Groups, software, campaigns, data sources, mitigations and tactic ids are not tactic names. */
const OTHER_ID = /^(g|s|c|ds|m|ta)\d{4}$/i;

/** `Privilege_Escalation` and `privilege escalation` are the tactic `privilege-escalation`. */
export function normalizeTactic(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** Techniques (upper case, `T1562.001`) and tactic names (dashed), each once, in tag order. */
export function parseAttackTags(tags: readonly string[]): { techniques: string[]; tactics: string[] } {
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const tag of tags) {
    const m = TAG.exec(tag.trim());
    if (!m) continue;
    const v = m[1]!;
    if (TECHNIQUE.test(v)) {
      const id = v.toUpperCase();
      if (!techniques.includes(id)) techniques.push(id);
    } else if (!OTHER_ID.test(v)) {
      const t = normalizeTactic(v);
      if (!tactics.includes(t)) tactics.push(t);
    }
  }
  return { techniques, tactics };
}
