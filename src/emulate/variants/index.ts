// The registry of variant generators: every generated spelling and ordinary workload of every
// strategy, checked once so a bad entry is a message naming it, never a crash or a silent skip.
import type { Variant, VariantGenerator } from './types.js';
import { generate as docker } from './docker.js';
import { generate as kubernetes } from './kubernetes.js';
import { generate as process } from './process.js';

export type { Variant, VariantGenerator, VariantKind } from './types.js';

/** One generator per area of the telemetry (Docker configuration, processes, Kubernetes). */
export const GENERATORS: ReadonlyArray<{ name: string; generate: VariantGenerator }> = [
  { name: 'docker', generate: docker },
  { name: 'kubernetes', generate: kubernetes },
  { name: 'process', generate: process },
];

const ID = /^[a-z0-9][a-z0-9-]{0,40}$/;
const ADS = /^ADS-\d{4}$/;
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

/** Why a variant cannot be used; empty when it can. */
export function variantProblems(v: Variant): string[] {
  const p: string[] = [];
  if (!ADS.test(v.strategy)) p.push(`strategy ${JSON.stringify(v.strategy)} is not an ADS id`);
  if (!ID.test(v.id)) p.push(`id ${JSON.stringify(v.id)} must match ${ID} (it names containers and scenario files)`);
  if (v.kind !== 'positive' && v.kind !== 'benign') p.push(`kind ${JSON.stringify(v.kind)} is not positive or benign`);
  if (!v.family) p.push('family is empty');
  if (!v.description) p.push('description is empty');
  if (v.kind === 'positive' && v.expect.length === 0) p.push('a positive variant names the rules of which one must fire');
  if (v.kind === 'benign' && v.expect.length > 0) p.push('a benign variant expects nothing: it must keep every rule quiet');
  if (v.technique !== undefined && !TECHNIQUE.test(v.technique)) p.push(`technique ${JSON.stringify(v.technique)} is not an ATT&CK id`);
  if (!v.live && !v.events) p.push('neither live steps nor generated events: nothing to run or replay');
  if (v.live && v.live.steps.length === 0) p.push('live has no steps');
  if (v.events && v.events.lines.length === 0) p.push('events has no lines');
  return p;
}

export interface VariantSet {
  variants: Variant[];
  /** Variants refused, by `generator/strategy/id: reason`. */
  problems: string[];
}

/** Every variant of every generator; refused ones (bad fields, duplicate ids within a strategy) are listed, not returned. */
export function allVariants(generators: ReadonlyArray<{ name: string; generate: VariantGenerator }> = GENERATORS): VariantSet {
  const variants: Variant[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of generators) {
    let list: Variant[];
    try {
      list = g.generate();
    } catch (e) {
      problems.push(`${g.name}: generator failed: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const v of list) {
      const where = `${g.name}/${v.strategy}/${v.id}`;
      const p = variantProblems(v);
      const key = `${v.strategy}/${v.id}`;
      if (seen.has(key)) p.push('duplicate id within the strategy');
      if (p.length) {
        problems.push(`${where}: ${p.join('; ')}`);
        continue;
      }
      seen.add(key);
      variants.push(v);
    }
  }
  variants.sort((a, b) => a.strategy.localeCompare(b.strategy) || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
  return { variants, problems };
}
