// The ATT&CK Enterprise subset shipped in the package (content/attack/enterprise-techniques.json,
// made by scripts/attack-subset.mjs): technique names and tactics, so every figure and every
// alert places a technique under the tactics ATT&CK gives it, wherever stowaway is installed.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AttackSubset {
  version?: string;
  attribution: string;
  /** technique id → name and tactics (kill-chain phase names) and platforms. */
  techniques: Map<string, { name: string; tactics: string[]; platforms: string[] }>;
  /** Revoked or deprecated ids, with their last name. */
  retired: Map<string, { name: string; revoked: boolean; deprecated: boolean }>;
  tactics: string[];
  platforms: string[];
  file: string;
}

/** The package's `content/attack/enterprise-techniques.json`, two levels above src/model and dist/model. */
export function shippedAttackPath(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'content', 'attack', 'enterprise-techniques.json');
}

interface SubsetDoc {
  format?: string;
  version?: string;
  attribution?: string;
  tactics?: string[];
  platforms?: string[];
  techniques?: Record<string, [string, string[], number[]]>;
  retired?: Record<string, [string, string]>;
}

export function isAttackSubset(json: unknown): boolean {
  return typeof json === 'object' && json !== null && ((json as SubsetDoc).format ?? '').startsWith('stowaway-attack-subset/');
}

export function parseAttackSubset(json: unknown, file: string): AttackSubset {
  const d = json as SubsetDoc;
  if (!isAttackSubset(d) || typeof d.techniques !== 'object' || d.techniques === null) throw new Error(`${file}: not a stowaway ATT&CK subset`);
  const platforms = d.platforms ?? [];
  const techniques = new Map<string, { name: string; tactics: string[]; platforms: string[] }>();
  for (const [id, [name, tactics, plats]] of Object.entries(d.techniques))
    techniques.set(id, { name, tactics: [...tactics], platforms: (plats ?? []).map((i) => platforms[i]!).filter(Boolean) });
  const retired = new Map<string, { name: string; revoked: boolean; deprecated: boolean }>();
  for (const [id, [name, why]] of Object.entries(d.retired ?? {})) retired.set(id, { name, revoked: why === 'revoked', deprecated: why === 'deprecated' });
  return {
    ...(d.version ? { version: d.version } : {}),
    attribution: d.attribution ?? '',
    techniques,
    retired,
    tactics: d.tactics ?? [],
    platforms,
    file,
  };
}

let cached: AttackSubset | null | undefined;

/** The shipped subset, read once; undefined only when the package lost the file (said by the caller). */
export function shippedAttack(): AttackSubset | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const file = shippedAttackPath();
  try {
    cached = parseAttackSubset(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch {
    cached = null;
  }
  return cached ?? undefined;
}
