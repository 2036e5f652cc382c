// Node-only: the RE2 regex factory (linear-time matching). Kept apart from the core so the
// matcher itself stays browser-capable; `index.ts` injects it by default.
import { createRequire } from 'node:module';
import { unsupportedConstruct, type RegexFactory } from './regex.js';

type RE2Ctor = new (pattern: string, flags?: string) => { test(s: string): boolean };

let ctor: RE2Ctor | null | undefined;
function load(): RE2Ctor | null {
  if (ctor === undefined) {
    try {
      ctor = createRequire(import.meta.url)('re2') as RE2Ctor;
    } catch {
      ctor = null;
    }
  }
  return ctor;
}

export function re2Available(): boolean {
  return load() !== null;
}

export const re2RegexFactory: RegexFactory = (pattern, flags) => {
  const bad = unsupportedConstruct(pattern);
  if (bad) return { ok: false, ...bad };
  const RE2 = load();
  if (!RE2) return { ok: false, code: 'unsupported-regex', reason: 'the re2 module could not be loaded' };
  try {
    // RE2 has no sticky/global state worries for test(); 'u' makes it treat input as Unicode text.
    return { ok: true, regex: new RE2(pattern, flags.replace(/[^ims]/g, '') + 'u') };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = /invalid perl operator|backreference|escape sequence: \\[1-9]/.test(msg) ? 'unsupported-regex' : 'bad-regex';
    return { ok: false, code, reason: msg };
  }
};
