// The registry of variant generators. Each part of the content has its own generator file; this
// file only gathers them.
import type { Variant } from './types.js';
import { generate as processVariants } from './process.js';

export type { Variant, VariantGenerator, VariantKind } from './types.js';

/** Every generated variant, in generator order. */
export function allVariants(): Variant[] {
  return [...processVariants()];
}
