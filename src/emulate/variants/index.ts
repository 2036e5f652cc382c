// The registry of variant generators. Each source of spellings owns one generator file.
import type { Variant } from './types.js';
import { generate as kubernetes } from './kubernetes.js';

export type { Variant, VariantGenerator, VariantKind } from './types.js';

/** Every generated variant, in a stable order. */
export function allVariants(): Variant[] {
  return [...kubernetes()];
}
