// Aho–Corasick automaton: finds, in one pass over a string, which of many literals occur in it.
// The candidate index runs one per field over the rules' witness literals. After building, the
// failure links are folded into a dense transition table over the literals' own ASCII characters,
// so a scan of ASCII text is one array read per character.

const CACHE_TEXT = 256;
const CACHE_ENTRIES = 2048;
const NONE: readonly number[] = [];

/**
 * Whether `literal` (lower case) can occur in the text of a finite number (digits, sign, point,
 * exponent) or a boolean. Callers scan non-finite numbers regardless: they are too rare to
 * widen this for, and JSON cannot carry them.
 */
function couldBeScalarText(literal: string): boolean {
  return /^[0-9.+\-e]+$/.test(literal) || 'true'.includes(literal) || 'false'.includes(literal);
}

/** Text made only of what a finite number's text is made of: pids, ports and serials as strings. */
function numericText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69)) return false;
  }
  return true;
}

/**
 * Character classes for a quick "could any literal occur in this text" test: a-f share one bit,
 * since hex ids and hashes hold them all anyway; j, q, x, z share one; every other letter (either
 * case) has its own; then digits, and the punctuation that separates ids, times and paths. A
 * literal can only occur in a text whose classes include all of the literal's. 29 bits, so a set
 * stays a small integer (a cheap map key).
 */
const CLASS = (() => {
  const t = new Int32Array(128);
  const own = 'ghiklmnoprstuvwy';
  const punct: Record<string, number> = {
    '-': 19,
    '/': 20,
    '\\': 20,
    ' ': 21,
    '\t': 21,
    '\n': 21,
    '\r': 21,
    '{': 22,
    '}': 22,
    ':': 23,
    '.': 24,
    _: 25,
    '=': 26,
    '@': 27,
  };
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c).toLowerCase();
    if (ch >= 'a' && ch <= 'f') t[c] = 1;
    else if (own.includes(ch)) t[c] = 1 << (1 + own.indexOf(ch));
    else if ('jqxz'.includes(ch)) t[c] = 1 << 17;
    else if (ch >= '0' && ch <= '9') t[c] = 1 << 18;
    else t[c] = 1 << (punct[ch] ?? 28);
  }
  return t;
})();

/**
 * Every class bit: what a text with a non-ASCII character counts as (case folding can map it onto
 * ASCII). An ASCII text holding every class also counts as it, which only admits it.
 */
const ALL_CLASSES = -1;

/** Slots of a memo's class-set table (see ScanMemo.couldHold), and "no literal fits". */
const ADMIT_BITS = 10;
const ADMIT_SLOTS = 1 << ADMIT_BITS;
const NO_LITERAL = 0x7fffffff;

/** The classes `text` holds; every class when it holds a character beyond ASCII. */
export function textClasses(text: string): number {
  let m = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return ALL_CLASSES;
    m |= CLASS[c]!;
  }
  return m;
}

/**
 * The classes a text must hold for `literal` (lower case) to occur in it. A non-ASCII character
 * whose upper case is ASCII (ı → I, ſ → S) can be met by an ASCII text: such a literal demands
 * nothing, so it never causes a text to be skipped.
 */
function literalClasses(literal: string): number {
  let m = 0;
  for (let i = 0; i < literal.length; i++) {
    const c = literal.charCodeAt(i);
    if (c < 128) m |= CLASS[c]!;
    else {
      const up = String.fromCharCode(c).toUpperCase();
      if (up.length !== 1 || up.charCodeAt(0) < 128) return 0;
      // Needs a non-ASCII text character, and such a text holds every class.
    }
  }
  return m;
}

export class AhoCorasick {
  /** Distinct class sets of the literals (see literalClasses), each with its shortest literal's length. */
  private needs = new Map<number, number>();
  private trie: Map<number, number>[] = [new Map<number, number>()];
  private outs: number[][] = [[]];
  /** Dense rows (failure links folded in) for the first `dense` states in breadth-first order. */
  private table: Uint16Array | Int32Array | undefined;
  private denseStates = 0;
  /**
   * Deeper states keep only their own edges (by alphabet column) and a failure link. Most have a
   * single edge, kept in two flat arrays; the rest use a map.
   */
  private deep: (Map<number, number> | undefined)[] = [];
  private deepChar = new Int32Array(0);
  private deepNext = new Int32Array(0);
  private fail = new Int32Array(0);
  private hasOut = new Uint8Array(0);
  /** Per state: the last scan stamp its outputs were reported for. */
  private emitted = new Uint32Array(0);
  private outByState: number[][] = [];
  /** Characters the literals use; columns are assigned when building. */
  private chars = new Set<number>();
  /** Character → column; ASCII columns come first and are the only ones with dense rows. */
  private alphabet = new Map<number, number>();
  private width = 1;
  /** Edges of dense states on non-ASCII columns, keyed `state * columns + column`. */
  private rare = new Map<number, number>();
  private columns = 1;
  /** ASCII fast path of `alphabet`. */
  private ascii = new Uint16Array(128);
  /** Length of the shortest literal: shorter texts cannot contain any and are skipped. */
  private minLength = Infinity;
  private readonly maxDense: number | undefined;
  private scalarLiteral = false;

  /**
   * `maxDense` bounds memory: only that many (shallowest) states get a full transition row
   * (default 16384 with 16-bit state ids, else 8192). Text spends nearly all its time in shallow
   * states, so a few thousand rows keep scans fast.
   */
  constructor(opts: { maxDense?: number } = {}) {
    this.maxDense = opts.maxDense;
  }

  add(literal: string, id: number): void {
    if (literal.length < this.minLength) this.minLength = literal.length;
    const need = literalClasses(literal);
    if (!(literal.length >= (this.needs.get(need) ?? Infinity))) this.needs.set(need, literal.length);
    if (!this.scalarLiteral && couldBeScalarText(literal)) this.scalarLiteral = true;
    let s = 0;
    for (let i = 0; i < literal.length; i++) {
      const c = literal.charCodeAt(i);
      this.chars.add(c);
      let n = this.trie[s]!.get(c);
      if (n === undefined) {
        n = this.trie.length;
        this.trie.push(new Map());
        this.outs.push([]);
        this.trie[s]!.set(c, n);
      }
      s = n;
    }
    this.outs[s]!.push(id);
    this.table = undefined;
  }

  /** Whether some literal could occur in the text of a finite number or a boolean. */
  get scalarText(): boolean {
    return this.scalarLiteral;
  }

  /**
   * The class sets the literals need, each with the length of its shortest literal: a text that
   * holds none of them in full, or is shorter than those it holds, holds no literal.
   */
  get classNeeds(): ReadonlyMap<number, number> {
    return this.needs;
  }

  /** Length of the shortest literal added. */
  get shortest(): number {
    return this.minLength;
  }

  /** Number of states, for memory accounting. */
  get states(): number {
    return this.trie.length;
  }

  private step(q: number, a: number): number {
    const R = this.denseStates;
    const w = this.width;
    const deepChar = this.deepChar;
    for (;;) {
      if (q < R) {
        if (a < w) return this.table![q * w + a]!;
        // Non-ASCII columns have no row entries: follow failure links by hand.
        const t = this.rare.get(q * this.columns + a);
        if (t !== undefined) return t;
        if (q === 0) return 0;
        q = this.fail[q]!;
        continue;
      }
      const d = q - R;
      const c = deepChar[d]!;
      if (c === a) return this.deepNext[d]!;
      if (c === -1) {
        const t = this.deep[d]!.get(a);
        if (t !== undefined) return t;
      }
      q = this.fail[q]!;
    }
  }

  private build(): void {
    const n = this.trie.length;
    // Column 0 is every character no literal uses: it always leads back to the root. Dense rows
    // cover the ASCII columns only; a rule set with many non-ASCII characters (encoded values,
    // homoglyphs) would otherwise make every row kilobytes wide and every step a cache miss.
    const sorted = [...this.chars].sort((a, b) => a - b);
    this.alphabet = new Map(sorted.map((c, i) => [c, i + 1]));
    this.columns = sorted.length + 1;
    const w = (this.width = sorted.filter((c) => c < 128).length + 1);
    this.rare = new Map();
    // Breadth-first numbering: shallow states first, and every failure target precedes its state.
    const order: number[] = [0];
    for (let qi = 0; qi < order.length; qi++) for (const t of this.trie[order[qi]!]!.values()) order.push(t);
    const id = new Int32Array(n);
    order.forEach((old, i) => (id[old] = i));
    // State ids fit 16 bits in all but huge automata: half the bytes per row, so twice the rows
    // for the same memory.
    const narrow = n <= 0xffff;
    const R = (this.denseStates = Math.max(1, Math.min(n, this.maxDense ?? (narrow ? 16384 : 8192))));
    const table = (this.table = narrow ? new Uint16Array(R * w) : new Int32Array(R * w));
    const fail = (this.fail = new Int32Array(n));
    const outs: number[][] = order.map((old) => this.outs[old]!);
    this.deep = [];
    this.deepChar = new Int32Array(Math.max(0, n - R));
    this.deepNext = new Int32Array(Math.max(0, n - R));
    for (let s = 0; s < n; s++) {
      const f = fail[s]!;
      if (s > 0 && outs[f]!.length) outs[s] = [...outs[s]!, ...outs[f]!];
      const edges = new Map<number, number>();
      for (const [c, t] of this.trie[order[s]!]!) edges.set(this.alphabet.get(c)!, id[t]!);
      if (s < R) {
        // Inherit the failure state's row (the root has none), then this state's own edges.
        if (s > 0) table.copyWithin(s * w, f * w, f * w + w);
        for (const [a, t] of edges) {
          if (a < w) table[s * w + a] = t;
          else this.rare.set(s * this.columns + a, t);
        }
      } else {
        const d = s - R;
        if (edges.size === 1) {
          const [a, t] = edges.entries().next().value as [number, number];
          this.deepChar[d] = a;
          this.deepNext[d] = t;
          this.deep.push(undefined);
        } else {
          // -1 sends lookups to the map (0 is a column: characters no literal uses).
          this.deepChar[d] = edges.size === 0 ? -2 : -1;
          this.deep.push(edges.size === 0 ? undefined : edges);
        }
      }
      for (const [a, t] of edges) fail[t] = s === 0 ? 0 : this.step(f, a);
    }
    this.outByState = outs;
    this.hasOut = Uint8Array.from(outs, (o) => (o.length ? 1 : 0));
    this.emitted = new Uint32Array(n);
    // Literals are lowercase; mapping upper case onto the same columns makes a scan of raw text
    // case-insensitive without lowercasing it first.
    for (const [c, a] of [...this.alphabet]) {
      const up = String.fromCharCode(c).toUpperCase();
      if (up.length === 1 && up.charCodeAt(0) !== c && !this.alphabet.has(up.charCodeAt(0))) this.alphabet.set(up.charCodeAt(0), a);
    }
    this.ascii.fill(0);
    for (const [c, a] of this.alphabet) if (c < 128) this.ascii[c] = a;
  }

  /** Characters whose lower case is not simply the literal's (e.g. the Kelvin sign). */
  private foldRare(c: number): number {
    const low = String.fromCharCode(c).toLowerCase();
    return low.length === 1 ? (this.alphabet.get(low.charCodeAt(0)) ?? 0) : -1;
  }

  /**
   * Calls `hit` for each payload id whose literal occurs in `text` (ids may repeat). Literals must
   * be added in lower case; `text` may be in any case. Scans sharing a non-zero `stamp` (e.g. all
   * values of one event) report each literal ending state once, however often it recurs.
   */
  scan(text: string, hit: (id: number) => void, stamp = 0): void {
    if (text.length < this.minLength) return;
    if (!this.table) this.build();
    const table = this.table!;
    const R = this.denseStates;
    const hasOut = this.hasOut;
    const alpha = this.alphabet;
    const ascii = this.ascii;
    const w = this.width;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const a = c < 128 ? ascii[c]! : (alpha.get(c) ?? this.foldRare(c));
      if (a < 0) {
        // A character that lowercases to several (İ): fall back to scanning lowercased text.
        if (text !== text.toLowerCase()) {
          this.scan(text.toLowerCase(), hit, stamp);
          return;
        }
        s = 0;
        continue;
      }
      s = s < R && a < w ? table[s * w + a]! : this.step(s, a);
      if (hasOut[s]) {
        if (stamp !== 0) {
          if (this.emitted[s] === stamp) continue;
          this.emitted[s] = stamp;
        }
        const out = this.outByState[s]!;
        for (let k = 0; k < out.length; k++) hit(out[k]!);
      }
    }
  }
}

/**
 * Scans texts with one or more automata and remembers which ids short texts produced: event
 * fields repeat heavily (executables, command lines of periodic jobs, descriptions, file hashes),
 * and a map lookup costs a fraction of a scan. Two generations of bounded size keep recently used
 * texts and cap memory; longer texts are scanned every time. Add no literals to the automata once
 * texts have been looked up.
 */
export class ScanMemo {
  private cache = new Map<string, readonly number[]>();
  private older = new Map<string, readonly number[]>();
  private readonly minLength: number;

  /** False when no literal can occur in the text of a finite number or a boolean: those need no lookup. */
  readonly scalars: boolean;
  /** Distinct class sets the literals of every automaton need, and their shortest literal's length. */
  private readonly needs: Int32Array;
  private readonly needLength: Int32Array;
  /**
   * Text class set → the shortest literal whose needs are within it (NO_LITERAL: none), in a
   * direct-mapped table: few distinct sets occur, and a slot read costs less than a map lookup on
   * every text. A set whose slot another holds is worked out again from `needs`.
   */
  private readonly admitSet = new Int32Array(ADMIT_SLOTS).fill(ALL_CLASSES);
  private readonly admitLength = new Int32Array(ADMIT_SLOTS);
  /** Texts skipped by their classes alone, for the counters. */
  skipped = 0;

  constructor(private readonly automata: AhoCorasick[]) {
    this.minLength = Math.min(...automata.map((a) => a.shortest));
    this.scalars = automata.some((a) => a.scalarText);
    const needs = new Map<number, number>();
    for (const a of automata) for (const [need, len] of a.classNeeds) needs.set(need, Math.min(len, needs.get(need) ?? Infinity));
    this.needs = Int32Array.from(needs.keys());
    this.needLength = Int32Array.from(needs.values());
  }

  /**
   * Whether some literal could occur in `text`, judged by character classes alone: unique values
   * (GUIDs, hashes, hex ids) mostly hold none of the letters a literal needs, and skipping them
   * keeps them out of the memo, where they would only push out values that do repeat.
   */
  private couldHold(text: string): boolean {
    const m = textClasses(text);
    if (m === ALL_CLASSES) return true;
    const slot = Math.imul(m, 0x9e3779b1) >>> (32 - ADMIT_BITS);
    let shortest: number;
    if (this.admitSet[slot] === m) shortest = this.admitLength[slot]!;
    else {
      shortest = NO_LITERAL;
      const needs = this.needs;
      for (let i = 0; i < needs.length; i++) if ((needs[i]! & ~m) === 0 && this.needLength[i]! < shortest) shortest = this.needLength[i]!;
      this.admitSet[slot] = m;
      this.admitLength[slot] = shortest;
    }
    if (text.length >= shortest) return true;
    this.skipped++;
    return false;
  }

  /** Ids the scan of a text not yet in the memo reported; reused, so a miss allocates only what it keeps. */
  private found: number[] = [];
  private readonly collect = (id: number): void => {
    this.found.push(id);
  };

  /**
   * Calls `hit` for each id whose literal occurs in `text` (ids may repeat across calls). The
   * character classes are judged before the memo is asked: most texts of an event (GUIDs, hashes,
   * times, ids) are skipped there, and a text read once for its classes costs less than hashing it
   * for a memo lookup that would miss.
   */
  find(text: string, hit: (id: number) => void, stamp: number): void {
    if (text.length < this.minLength) return;
    if (!this.scalars && numericText(text)) return;
    if (!this.couldHold(text)) return;
    const acs = this.automata;
    if (text.length > CACHE_TEXT) {
      for (let i = 0; i < acs.length; i++) acs[i]!.scan(text, hit, stamp);
      return;
    }
    let ids = this.cache.get(text);
    if (ids === undefined) {
      ids = this.older.get(text);
      if (ids === undefined) {
        const found = this.found;
        found.length = 0;
        for (let i = 0; i < acs.length; i++) acs[i]!.scan(text, this.collect, 0);
        ids = found.length === 0 ? NONE : found.length === 1 ? [found[0]!] : [...new Set(found)];
      }
      if (this.cache.size >= CACHE_ENTRIES) {
        this.older = this.cache;
        this.cache = new Map();
      }
      this.cache.set(text, ids);
    }
    for (let k = 0; k < ids.length; k++) hit(ids[k]!);
  }
}
