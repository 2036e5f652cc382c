// One glob matcher for every place a user writes `*` (and `?`): condition quantifiers
// (`1 of sel_*`), alert exceptions and allowlists. A glob turned into a regular expression
// (`.*a.*a.*b`) backtracks: against a 16 KB attacker-chosen command line one exception took
// seconds on the live thread. This one goes through compilePattern: each text between
// stars takes its leftmost fit, which is optimal for `*`, so the work grows with the text
// times the pattern, never exponentially.
import { compilePattern, type Pattern } from './pattern.js';

export interface GlobOptions {
  /** Compare without case (exceptions, allowlists). */
  caseInsensitive?: boolean;
  /** `?` is one character (Sigma quantifiers); otherwise it is literal (exceptions). */
  questionMark?: boolean;
}

/** `*` and, when asked, `?` as wildcards; every other character literal. */
export function globPattern(glob: string, o: GlobOptions = {}): Pattern {
  const out: Pattern = [];
  let lit = '';
  const flush = (): void => {
    if (lit) out.push({ t: 'lit', s: lit });
    lit = '';
  };
  for (const c of o.caseInsensitive ? glob.toLowerCase() : glob) {
    if (c === '*') {
      flush();
      if (out.at(-1)?.t !== 'star') out.push({ t: 'star' });
    } else if (c === '?' && o.questionMark) {
      flush();
      out.push({ t: 'one' });
    } else lit += c;
  }
  flush();
  return out;
}

const cache = new Map<string, (s: string) => boolean>();

/** A compiled test for one glob; cached (exceptions test the same globs on every finding). */
export function globMatcher(glob: string, o: GlobOptions = {}): (s: string) => boolean {
  const key = `${o.caseInsensitive ? 'i' : ''}${o.questionMark ? '?' : ''}\u0000${glob}`;
  let m = cache.get(key);
  if (m) return m;
  const test = compilePattern(globPattern(glob, o));
  m = o.caseInsensitive ? (s: string) => test(s.toLowerCase()) : test;
  if (cache.size < 10_000) cache.set(key, m);
  return m;
}
