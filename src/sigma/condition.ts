// Condition grammar: `not` binds tighter than `and`, which binds tighter than `or`;
// parentheses group; `1 of x*` / `all of them` quantify over search identifiers.
import type { ConditionNode } from './ast.js';
import { globMatcher } from './glob.js';

export type ConditionResult = { ok: true; node: ConditionNode } | { ok: false; reason: string };

type Tok = { k: 'lp' | 'rp' | 'and' | 'or' | 'not' | 'one' | 'all' | 'of' | 'pipe' } | { k: 'word'; v: string };

function tokenize(text: string): Tok[] | string {
  const out: Tok[] = [];
  const re = /\s*(?:(\()|(\))|(\|)|([^\s()|]+))/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1]) out.push({ k: 'lp' });
    else if (m[2]) out.push({ k: 'rp' });
    else if (m[3]) out.push({ k: 'pipe' });
    else if (m[4]) {
      const w = m[4];
      const lw = w.toLowerCase();
      if (lw === 'and' || lw === 'or' || lw === 'not' || lw === 'of' || lw === 'all') out.push({ k: lw });
      else if (w === '1' || lw === 'any') out.push({ k: 'one' });
      else out.push({ k: 'word', v: w });
    }
    if (/^\s*$/.test(text.slice(re.lastIndex))) break;
  }
  return out;
}

/** Identifiers a quantifier pattern names; `them` leaves out `_`-prefixed helpers. */
export function expandOf(pattern: string, identifiers: string[]): string[] {
  if (pattern === 'them') return identifiers.filter((n) => !n.startsWith('_'));
  const matches = globMatcher(pattern, { questionMark: true });
  return identifiers.filter((n) => matches(n));
}

export function parseCondition(text: string, identifiers: string[]): ConditionResult {
  const toks = tokenize(text);
  if (typeof toks === 'string') return { ok: false, reason: toks };
  if (toks.some((t) => t.k === 'pipe')) return { ok: false, reason: 'aggregation expressions (`| count() ...`) are deprecated; use a correlation rule' };
  let i = 0;
  const known = new Set(identifiers);
  const fail = (reason: string): never => {
    throw new SyntaxError(reason);
  };
  const peek = () => toks[i];
  const orExpr = (): ConditionNode => {
    const items = [andExpr()];
    while (peek()?.k === 'or') {
      i++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const andExpr = (): ConditionNode => {
    const items = [notExpr()];
    while (peek()?.k === 'and') {
      i++;
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const notExpr = (): ConditionNode => {
    if (peek()?.k === 'not') {
      i++;
      return { kind: 'not', expr: notExpr() };
    }
    return atom();
  };
  const atom = (): ConditionNode => {
    const t = toks[i++];
    if (!t) return fail('condition ends too early');
    if (t.k === 'lp') {
      const e = orExpr();
      if (toks[i++]?.k !== 'rp') fail('missing closing parenthesis');
      return e;
    }
    if (t.k === 'one' || t.k === 'all') {
      if (toks[i++]?.k !== 'of') fail(`expected 'of' after '${t.k === 'one' ? '1' : 'all'}'`);
      const w = toks[i++];
      if (!w || w.k !== 'word') return fail('expected identifier pattern or `them` after `of`');
      const names = expandOf(w.v, identifiers);
      if (names.length === 0) fail(`'${w.v}' matches no search identifier`);
      return { kind: 'of', quantifier: t.k, pattern: w.v, names };
    }
    if (t.k === 'word') {
      if (!known.has(t.v)) fail(`unknown search identifier '${t.v}'`);
      return { kind: 'id', name: t.v };
    }
    return fail(`unexpected '${t.k === 'rp' ? ')' : t.k}'`);
  };
  try {
    if (toks.length === 0) return { ok: false, reason: 'empty condition' };
    const node = orExpr();
    if (i < toks.length) return { ok: false, reason: 'unexpected text after the end of the condition' };
    return { ok: true, node };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Search identifiers a condition refers to (for unused-identifier checks and explain). */
export function conditionNames(n: ConditionNode, out = new Set<string>()): Set<string> {
  switch (n.kind) {
    case 'id':
      out.add(n.name);
      break;
    case 'not':
      conditionNames(n.expr, out);
      break;
    case 'and':
    case 'or':
      for (const x of n.items) conditionNames(x, out);
      break;
    case 'of':
      for (const x of n.names) out.add(x);
  }
  return out;
}
