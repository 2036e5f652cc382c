// ATT&CK Enterprise catalog: by default the subset shipped in the package
// (content/attack/enterprise-techniques.json: ids, names, tactics, platforms), or a full STIX
// bundle MITRE publishes (enterprise-attack.json) given with --attack.
import { parseAttackTags } from '../model/attack-tags.js';
import { isAttackSubset, parseAttackSubset, shippedAttackPath } from '../model/attack-data.js';
import { readFile } from 'node:fs/promises';

export interface Technique {
  id: string; // T1611, T1562.001
  name: string;
  tactics: string[]; // kill chain phase names: privilege-escalation ...
  platforms: string[];
  revoked: boolean;
  deprecated: boolean;
  /** Sub-technique ids of a parent technique. */
  subtechniques: string[];
  url?: string;
}

export interface AttackCatalog {
  /** ATT&CK version of the bundle (e.g. "17.1"), when it says. */
  version?: string;
  techniques: Map<string, Technique>;
  tactics: Set<string>;
  platforms: Set<string>;
  file: string;
}

/** Default: the subset shipped in the package, wherever it is installed. */
export function defaultAttackPath(): string {
  return shippedAttackPath();
}

/** The shipped subset as a catalog; retired ids stay, flagged, so lint can say "revoked". */
export function catalogFromSubset(json: unknown, file: string): AttackCatalog {
  const s = parseAttackSubset(json, file);
  const techniques = new Map<string, Technique>();
  for (const [id, t] of s.techniques)
    techniques.set(id, { id, name: t.name, tactics: t.tactics, platforms: t.platforms, revoked: false, deprecated: false, subtechniques: [] });
  for (const [id, t] of s.retired)
    if (!techniques.has(id))
      techniques.set(id, { id, name: t.name, tactics: [], platforms: [], revoked: t.revoked, deprecated: t.deprecated, subtechniques: [] });
  for (const t of techniques.values()) {
    const dot = t.id.indexOf('.');
    if (dot > 0 && !t.revoked && !t.deprecated) techniques.get(t.id.slice(0, dot))?.subtechniques.push(t.id);
  }
  return { ...(s.version ? { version: s.version } : {}), techniques, tactics: new Set(s.tactics), platforms: new Set(s.platforms), file };
}

interface StixObject {
  type?: string;
  name?: string;
  revoked?: boolean;
  x_mitre_deprecated?: boolean;
  x_mitre_platforms?: string[];
  x_mitre_shortname?: string;
  x_mitre_version?: string;
  x_mitre_attack_spec_version?: string;
  kill_chain_phases?: { kill_chain_name?: string; phase_name?: string }[];
  external_references?: { source_name?: string; external_id?: string; url?: string }[];
}

export function parseAttackBundle(json: unknown, file: string): AttackCatalog {
  const objects = (json as { objects?: StixObject[] })?.objects ?? [];
  const techniques = new Map<string, Technique>();
  const tactics = new Set<string>();
  const platforms = new Set<string>();
  let version: string | undefined;
  for (const o of objects) {
    if (o.type === 'x-mitre-tactic' && o.x_mitre_shortname) tactics.add(o.x_mitre_shortname);
    if (o.type === 'x-mitre-collection' && o.x_mitre_version) version = o.x_mitre_version;
    if (o.type !== 'attack-pattern') continue;
    const ref = o.external_references?.find((r) => r.source_name === 'mitre-attack' && r.external_id);
    if (!ref?.external_id) continue;
    const t: Technique = {
      id: ref.external_id,
      name: o.name ?? '',
      tactics: (o.kill_chain_phases ?? []).filter((k) => k.kill_chain_name === 'mitre-attack' && k.phase_name).map((k) => k.phase_name!),
      platforms: o.x_mitre_platforms ?? [],
      revoked: o.revoked === true,
      deprecated: o.x_mitre_deprecated === true,
      subtechniques: [],
      ...(ref.url ? { url: ref.url } : {}),
    };
    for (const p of t.platforms) platforms.add(p);
    // A revoked copy must not shadow the live one with the same id.
    const prev = techniques.get(t.id);
    if (!prev || (prev.revoked && !t.revoked)) techniques.set(t.id, t);
  }
  for (const t of techniques.values()) {
    const dot = t.id.indexOf('.');
    if (dot > 0 && !t.revoked && !t.deprecated) techniques.get(t.id.slice(0, dot))?.subtechniques.push(t.id);
  }
  return { ...(version ? { version } : {}), techniques, tactics, platforms, file };
}

/** Loads the shipped subset or a STIX bundle; undefined (not an exception) when the file is absent or unreadable. */
export async function loadAttack(path = defaultAttackPath()): Promise<{ catalog?: AttackCatalog; error?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { error: `ATT&CK data not found at ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  try {
    const json: unknown = JSON.parse(text);
    return { catalog: isAttackSubset(json) ? catalogFromSubset(json, path) : parseAttackBundle(json, path) };
  } catch (e) {
    return { error: `ATT&CK data at ${path} is not a STIX bundle nor the shipped subset: ${(e as Error).message}` };
  }
}

/**
 * ATT&CK v19 renumbered some defense-evasion techniques. A document mapped against v19 must not
 * see its ids reported unknown by v18 data, and a v18 id that moved should point to its successor.
 * v18 id → v19 id and name.
 */
export const V19_MOVES: ReadonlyMap<string, { id: string; name: string }> = new Map([
  ['T1562', { id: 'T1685', name: 'Disable or Modify Tools' }],
  ['T1562.001', { id: 'T1685', name: 'Disable or Modify Tools' }],
  ['T1562.006', { id: 'T1685', name: 'Disable or Modify Tools' }],
  ['T1562.002', { id: 'T1685.001', name: 'Disable or Modify Windows Event Log' }],
  ['T1562.008', { id: 'T1685.002', name: 'Disable or Modify Cloud Log' }],
  ['T1070.001', { id: 'T1685.005', name: 'Clear Windows Event Logs' }],
  ['T1070.002', { id: 'T1685.006', name: 'Clear Linux or Mac System Logs' }],
  ['T1562.004', { id: 'T1686', name: 'Disable or Modify System Firewall' }],
  ['T1562.007', { id: 'T1686.001', name: 'Cloud Firewall' }],
  ['T1562.010', { id: 'T1689', name: 'Downgrade Attack' }],
  ['T1656', { id: 'T1684.001', name: 'Impersonation' }],
  ['T1547.011', { id: 'T1647', name: 'Plist File Modification' }],
]);

/** v19 id → the v18 ids it replaced, so a v19 mapping can be checked against v18 data. */
export function v18Predecessors(id: string): string[] {
  return [...V19_MOVES].filter(([, to]) => to.id === id).map(([from]) => from);
}

/** "Defense Evasion", "defense_evasion" → "defense-evasion". */
export { normalizeTactic } from '../model/attack-tags.js';

export const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

/** attack.t1562.001 → T1562.001; attack.defense-evasion → tactic (model/attack-tags.ts). */
export const splitAttackTags = parseAttackTags;
