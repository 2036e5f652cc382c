// Sigma string values: wildcards `*` `?` with the spec's backslash escaping, and a matcher
// for them that never backtracks more than a glob must (segments between stars, leftmost fit).

export type Token = { t: 'lit'; s: string } | { t: 'star' } | { t: 'one' };
export type Pattern = Token[];

/**
 * Reads a Sigma string into tokens. `\*` `\?` are literal wildcards, `\\` is one backslash,
 * and a backslash before anything else stays a backslash (spec, "Escape Character").
 */
export function parsePattern(raw: string): Pattern {
  const out: Pattern = [];
  let lit = '';
  const flush = () => {
    if (lit) out.push({ t: 'lit', s: lit });
    lit = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += '\\';
    } else if (c === '*') {
      flush();
      if (out.at(-1)?.t !== 'star') out.push({ t: 'star' });
    } else if (c === '?') {
      flush();
      out.push({ t: 'one' });
    } else lit += c;
  }
  flush();
  return out;
}

/** A plain string as a pattern with no wildcards. */
export function literalPattern(s: string): Pattern {
  return s ? [{ t: 'lit', s }] : [];
}

export function hasWildcards(p: Pattern): boolean {
  return p.some((t) => t.t !== 'lit');
}

export function patternText(p: Pattern): string {
  return p.map((t) => (t.t === 'star' ? '*' : t.t === 'one' ? '?' : t.s.replace(/[\\*?]/g, (m) => '\\' + m))).join('');
}

/** The plain text of a wildcard-free pattern. */
export function plainText(p: Pattern): string {
  return p.map((t) => (t.t === 'lit' ? t.s : '')).join('');
}

export function wrapStar(p: Pattern, before: boolean, after: boolean): Pattern {
  const out = [...p];
  if (before && out[0]?.t !== 'star') out.unshift({ t: 'star' });
  if (after && out.at(-1)?.t !== 'star') out.push({ t: 'star' });
  return out;
}

export function mapLiterals(p: Pattern, f: (s: string) => string): Pattern {
  return p.map((t) => (t.t === 'lit' ? { t: 'lit', s: f(t.s) } : t));
}

/** Segments between stars; each segment is literal text where `null` stands for `?`. */
type Segment = (string | null)[];

function segmentLength(seg: Segment): number {
  let n = 0;
  for (const x of seg) n += x === null ? 1 : x.length;
  return n;
}

function segmentAt(s: string, pos: number, seg: Segment): boolean {
  let p = pos;
  for (const x of seg) {
    if (x === null) {
      if (p >= s.length) return false;
      p++;
    } else {
      if (!s.startsWith(x, p)) return false;
      p += x.length;
    }
  }
  return true;
}

function findSegment(s: string, from: number, seg: Segment, end = s.length): number {
  const len = segmentLength(seg);
  const first = seg.find((x): x is string => x !== null);
  for (let i = from; i + len <= end; i++) {
    if (first !== undefined && seg[0] !== null) {
      const j = s.indexOf(first, i);
      if (j < 0) return -1;
      i = j;
      if (i + len > end) return -1;
    }
    if (segmentAt(s, i, seg)) return i;
  }
  return -1;
}

/**
 * Builds a test for one pattern. Literals are compared as given, so callers lowercase both
 * sides for Sigma's default case-insensitive match.
 */
export function compilePattern(p: Pattern): (s: string) => boolean {
  if (!hasWildcards(p)) {
    const v = plainText(p);
    return (s) => s === v;
  }
  const lits = p.filter((t) => t.t === 'lit') as { t: 'lit'; s: string }[];
  const stars = p.filter((t) => t.t === 'star').length;
  const ones = p.length - lits.length - stars;
  if (ones === 0) {
    if (p.length === 1) return () => true;
    if (p.length === 2 && p[0]!.t === 'star') {
      const v = lits[0]!.s;
      return (s) => s.endsWith(v);
    }
    if (p.length === 2) {
      const v = lits[0]!.s;
      return (s) => s.startsWith(v);
    }
    if (p.length === 3 && p[0]!.t === 'star' && p[2]!.t === 'star') {
      const v = lits[0]!.s;
      return (s) => s.includes(v);
    }
    if (p.length === 3 && p[1]!.t === 'star') {
      const a = lits[0]!.s;
      const b = lits[1]!.s;
      return (s) => s.length >= a.length + b.length && s.startsWith(a) && s.endsWith(b);
    }
  }
  // General glob: split at stars; the first segment is anchored at the start, the last at the
  // end, and each middle one takes its leftmost fit, which is optimal for `*`.
  const segs: Segment[] = [[]];
  for (const t of p) {
    if (t.t === 'star') segs.push([]);
    else segs.at(-1)!.push(t.t === 'one' ? null : t.s);
  }
  const head = segs[0]!;
  const tail = segs.length > 1 ? segs.at(-1)! : null;
  const mids = segs.slice(1, -1);
  const headLen = segmentLength(head);
  const tailLen = tail ? segmentLength(tail) : 0;
  return (s) => {
    if (tail === null) return s.length === headLen && segmentAt(s, 0, head);
    if (s.length < headLen + tailLen) return false;
    if (!segmentAt(s, 0, head)) return false;
    const end = s.length - tailLen;
    if (!segmentAt(s, end, tail)) return false;
    let pos = headLen;
    for (const m of mids) {
      const at = findSegment(s, pos, m, end);
      if (at < 0) return false;
      pos = at + segmentLength(m);
    }
    return pos <= end;
  };
}

/** Longest literal run of a pattern: text every match must contain. */
export function longestLiteral(p: Pattern): string {
  let best = '';
  for (const t of p) if (t.t === 'lit' && t.s.length > best.length) best = t.s;
  return best;
}
