// Regular expressions come from an injectable factory so the matching core runs anywhere:
// Node injects RE2 (linear time, see ./re2.ts); a browser can use the checked RegExp factory below.

export interface CompiledRegex {
  test(s: string): boolean;
}

export type RegexResult = { ok: true; regex: CompiledRegex } | { ok: false; code: 'unsafe-regex' | 'unsupported-regex' | 'bad-regex'; reason: string };

/** Flags are Sigma's `re` sub-modifiers: i, m, s. */
export type RegexFactory = (pattern: string, flags: string) => RegexResult;

/** Constructs RE2 cannot run in linear time or at all; refused per rule with a reason. */
export function unsupportedConstruct(pattern: string): { code: 'unsafe-regex' | 'unsupported-regex'; reason: string } | undefined {
  // Skip escaped characters and character classes so `\(?=` or `[?=]` are not mistaken.
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(n)) return { code: 'unsafe-regex', reason: `backreference \\${n} needs backtracking` };
      if (!inClass && n === 'k' && pattern[i + 2] === '<') return { code: 'unsafe-regex', reason: 'named backreference needs backtracking' };
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const look = pattern.slice(i + 2, i + 4);
      if (look.startsWith('=') || look.startsWith('!') || look === '<=' || look === '<!')
        return { code: 'unsupported-regex', reason: `lookaround (?${look.startsWith('<') ? look : look[0]} is not supported (linear-time regex engine)` };
      if (look.startsWith('>')) return { code: 'unsupported-regex', reason: 'atomic groups are not supported' };
    }
  }
  return undefined;
}

/**
 * Heuristic for catastrophic backtracking when a backtracking engine must be used: a group that
 * is quantified and itself contains a quantifier, e.g. `(a+)+` or `(.*,)*`.
 */
export function nestedQuantifier(pattern: string): boolean {
  const stack: boolean[] = [];
  let quantifiedInside = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(') {
      stack.push(quantifiedInside);
      quantifiedInside = false;
    } else if (c === ')') {
      const inner = quantifiedInside;
      quantifiedInside = stack.pop() ?? false;
      const n = pattern[i + 1];
      if ((n === '*' || n === '+' || n === '{') && inner) return true;
      if (inner) quantifiedInside = true;
    } else if (c === '*' || c === '+' || c === '{') quantifiedInside = true;
  }
  return false;
}

/** Browser-capable factory: JavaScript RegExp, refusing what could backtrack without bound. */
export const jsRegexFactory: RegexFactory = (pattern, flags) => {
  const bad = unsupportedConstruct(pattern);
  if (bad) return { ok: false, ...bad };
  if (nestedQuantifier(pattern)) return { ok: false, code: 'unsafe-regex', reason: 'nested quantifier could backtrack exponentially' };
  try {
    const re = new RegExp(pattern, flags.replace(/[^ims]/g, ''));
    return { ok: true, regex: re };
  } catch (e) {
    return { ok: false, code: 'bad-regex', reason: e instanceof Error ? e.message : String(e) };
  }
};
