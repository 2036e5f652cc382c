// Literal sets for the candidate index: for a regex, a few short strings at least one of which
// occurs in every text it matches. `-(W|R)\s?...` yields {-w, -r}, where a single required run
// would only give `-`, which is in nearly every command line.
//
// The pattern is read as RE2 syntax into a small tree; each node says which strings it can match
// exactly (when that is a small finite set) and which set it requires. Sequences multiply exact
// sets into longer literals; alternations union them. Anything unclear gives no requirement, so
// the index may over-select, never under-select.

const MAX_SET = 16;
const MAX_LEN = 64;
/** Classes up to this many characters (after case folding) count as a choice of literals. */
const MAX_CLASS = 4;

interface Info {
  /** Every string this node can match, when that set is small; '' for zero-width nodes. */
  exact?: string[];
  /** A set one member of which occurs in any match of this node. */
  req?: string[];
}

class GiveUp extends Error {}

const uniq = (xs: string[]): string[] => [...new Set(xs)];

/** Shortest member decides how selective a set is; sets holding '' say nothing. */
function quality(s: string[] | undefined): number {
  if (!s || s.length === 0) return -1;
  let min = Infinity;
  for (const x of s) min = Math.min(min, x.length);
  return min === 0 ? -1 : min * 100 - s.length;
}

function better(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  const qa = quality(a);
  const qb = quality(b);
  if (qa < 0 && qb < 0) return undefined;
  return qa >= qb ? a : b;
}

function cross(a: string[], b: string[]): string[] | undefined {
  if (a.length * b.length > MAX_SET) return undefined;
  const out: string[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  if (out.some((s) => s.length > MAX_LEN)) return undefined;
  return uniq(out);
}

function union(parts: string[][]): string[] | undefined {
  const all = uniq(parts.flat());
  return all.length > MAX_SET ? undefined : all;
}

function sequence(terms: Info[]): Info {
  let run: string[] = [''];
  let allExact = true;
  let best: string[] | undefined;
  for (const t of terms) {
    if (t.exact) {
      const next = cross(run, t.exact);
      if (next) run = next;
      else {
        best = better(best, run);
        run = t.exact;
        allExact = false;
      }
    } else {
      best = better(best, run);
      best = better(best, t.req);
      run = [''];
      allExact = false;
    }
  }
  best = better(best, run);
  return allExact ? { exact: run, req: best } : { req: best };
}

function alternation(branches: Info[]): Info {
  if (branches.length === 1) return branches[0]!;
  const exact = branches.every((b) => b.exact) ? union(branches.map((b) => b.exact!)) : undefined;
  const reqs = branches.map((b) => better(b.exact, b.req));
  const req = reqs.every((r) => r !== undefined) ? union(reqs) : undefined;
  return { exact, req: better(exact, req) };
}

function repeat(x: Info, min: number, max: number): Info {
  if (min === 0) {
    if (max === 1 && x.exact) return { exact: union([x.exact, ['']]) };
    return {};
  }
  const one = better(x.exact, x.req);
  if (x.exact && min === max) {
    let e: string[] | undefined = [''];
    for (let i = 0; i < min && e; i++) e = cross(e, x.exact);
    if (e) return { exact: e, req: better(e, one) };
  }
  return { req: one };
}

class Reader {
  i = 0;
  constructor(readonly p: string) {}

  alternation(): Info {
    const branches = [this.sequence()];
    while (this.p[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return alternation(branches);
  }

  private sequence(): Info {
    const terms: Info[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const atom = this.atom();
      terms.push(this.quantified(atom));
    }
    return sequence(terms);
  }

  private quantified(atom: Info): Info {
    let x = atom;
    for (;;) {
      const c = this.p[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
        // RE2 reads a brace that is not a repetition as a literal character.
        if (!m) return x;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return x;
      this.i++;
      if (this.p[this.i] === '?') this.i++; // lazy: same strings
      x = repeat(x, min, max);
    }
  }

  private atom(): Info {
    const c = this.p[this.i]!;
    this.i++;
    switch (c) {
      case '.':
        return {};
      case '^':
      case '$':
        return { exact: [''] };
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '\\':
        return this.escape(false);
      case '*':
      case '+':
      case '?':
        throw new GiveUp();
      default:
        return { exact: [c] };
    }
  }

  private group(): Info {
    if (this.p[this.i] === '?') {
      this.i++;
      const rest = this.p.slice(this.i);
      const named = /^(?:P?<[A-Za-z_][A-Za-z0-9_]*>)/.exec(rest);
      if (named) this.i += named[0].length;
      else {
        // (?flags) or (?flags:...): case flags do not matter, the index folds case anyway.
        const fl = /^[imsU-]*/.exec(rest)![0];
        this.i += fl.length;
        if (this.p[this.i] === ')') {
          this.i++;
          return { exact: [''] };
        }
        if (this.p[this.i] !== ':') throw new GiveUp();
        this.i++;
      }
    }
    const inner = this.alternation();
    if (this.p[this.i] !== ')') throw new GiveUp();
    this.i++;
    return inner;
  }

  /** Small classes such as [wW] or ['"] are a choice of literals; anything wider says nothing. */
  private charClass(): Info {
    let negated = false;
    if (this.p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const chars = new Set<string>();
    let wide = false;
    let first = true;
    while (this.i < this.p.length && (this.p[this.i] !== ']' || first)) {
      first = false;
      let ch: string | undefined;
      const c = this.p[this.i]!;
      if (c === '[' && this.p[this.i + 1] === ':') {
        const end = this.p.indexOf(':]', this.i + 2);
        if (end < 0) throw new GiveUp();
        this.i = end + 2;
        wide = true;
        continue;
      }
      this.i++;
      if (c === '\\') {
        const e = this.escape(true);
        if (e.exact && e.exact.length === 1 && e.exact[0]!.length === 1) ch = e.exact[0];
        else wide = true;
      } else ch = c;
      if (ch !== undefined && this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.i + 1 < this.p.length) {
        // A range: [0-9], [a-f]. Only tiny ranges stay a literal choice.
        this.i++;
        let hi = this.p[this.i]!;
        this.i++;
        if (hi === '\\') {
          const e = this.escape(true);
          if (!e.exact || e.exact.length !== 1) throw new GiveUp();
          hi = e.exact[0]!;
        }
        const a = ch.codePointAt(0)!;
        const b = hi.codePointAt(0)!;
        if (b - a >= MAX_CLASS * 2) wide = true;
        else for (let k = a; k <= b; k++) chars.add(String.fromCodePoint(k).toLowerCase());
        continue;
      }
      if (ch !== undefined) chars.add(ch.toLowerCase());
    }
    if (this.p[this.i] !== ']') throw new GiveUp();
    this.i++;
    if (negated || wide || chars.size === 0 || chars.size > MAX_CLASS) return {};
    return { exact: [...chars] };
  }

  private escape(inClass: boolean): Info {
    const e = this.p[this.i];
    if (e === undefined) throw new GiveUp();
    this.i++;
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', a: '\x07' };
    if (simple[e]) return { exact: [simple[e]] };
    if (e === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(this.p.slice(this.i));
      if (!m) throw new GiveUp();
      this.i += m[0].length;
      return { exact: [String.fromCodePoint(parseInt(m[1] ?? m[2]!, 16))] };
    }
    if ('dDwWsS'.includes(e)) return {};
    if (e === 'p' || e === 'P') {
      if (this.p[this.i] === '{') {
        const end = this.p.indexOf('}', this.i);
        if (end < 0) throw new GiveUp();
        this.i = end + 1;
      } else this.i++;
      return {};
    }
    if (!inClass && 'bBAzZG'.includes(e)) return { exact: [''] };
    if (!inClass && e === 'Q') {
      // \Q...\E quotes its text literally.
      const end = this.p.indexOf('\\E', this.i);
      const text = end < 0 ? this.p.slice(this.i) : this.p.slice(this.i, end);
      this.i = end < 0 ? this.p.length : end + 2;
      return { exact: [text] };
    }
    if (/[A-Za-z0-9]/.test(e)) throw new GiveUp();
    return { exact: [e] };
  }
}

/**
 * Strings, in lower case, at least one of which occurs (ignoring case) in every text `pattern`
 * matches; empty when no such set is known. Case is folded because the index matches without it.
 */
export function regexLiterals(pattern: string): string[] {
  try {
    const r = new Reader(pattern);
    const info = r.alternation();
    if (r.i !== pattern.length) return [];
    const set = better(info.exact, info.req);
    if (!set) return [];
    return uniq(set.map((s) => s.toLowerCase()));
  } catch (e) {
    if (e instanceof GiveUp) return [];
    throw e;
  }
}
