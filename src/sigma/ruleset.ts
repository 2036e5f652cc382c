// The stateful core of Sigma matching: routes an event to the rules of its logsource, narrows
// them with the candidate index, evaluates the survivors, and says why a rule did (not) match.
import type { MatchedField, RuleMeta } from '../model/alert.js';
import type { LogSource, StowawayEvent } from '../model/event.js';
import { AhoCorasick, ScanMemo } from './aho.js';
import { assignWitnesses, type CompiledNode, type CompiledRule, type CompileRuleResult } from './compile.js';
import { EventView } from './fields.js';
import type { Witness } from './modifiers.js';

export interface RuleMatch {
  rule: RuleMeta;
  /** Search identifiers that evaluated true (the rule's own, not pipeline or filter helpers). */
  selections: string[];
  /** The items of those searches that held, with the event's values (what the page shows as "matched"). */
  matched?: MatchedField[];
  /** False when the rule only feeds correlations that asked for no alerts of their own. */
  generate: boolean;
  name?: string;
}

export interface ItemExplanation {
  field: string | null;
  /** The detection item as compiled (after pipelines), e.g. `process.executable|endswith: "/sh"`. */
  text: string;
  value: boolean;
  /** What the event holds at that field (first few values); keywords show nothing. */
  actual: unknown[];
}

export interface SearchExplanation {
  name: string;
  value: boolean;
  /** How items combine: a map is all-of, a list any-of. */
  combine: 'and' | 'or' | 'item';
  items: ItemExplanation[];
}

export interface Explanation {
  found: boolean;
  rule?: RuleMeta;
  logsource?: { rule: LogSource; event: LogSource; applies: boolean };
  /** Whether the candidate index would let this event reach the rule. */
  candidate?: boolean;
  matched: boolean;
  condition?: string[];
  searches: SearchExplanation[];
  summary: string;
}

/**
 * A rule known to compile (its outcome came from the rule cache) whose matchers are built when
 * the first event of a logsource it applies to arrives: a scan of process events never pays for
 * the registry or network rules of a whole corpus.
 */
export interface DeferredRule {
  meta: RuleMeta;
  /** The logsource after pipelines: what routing compares. */
  logsource: LogSource;
  /** The rule's own id and name, as filters and correlations refer to it. */
  ref: { id?: string; name?: string };
  compile(): CompileRuleResult;
}

export interface RuleSet {
  readonly size: number;
  match(event: StowawayEvent): RuleMatch[];
  explain(ruleIdOrTitle: string, event: StowawayEvent): Explanation;
  rules(): RuleMeta[];
  stats(): Record<string, number>;
  /** Sets `generate` for rules referenced by id or name; returns how many rules it changed. */
  setGenerate(idOrName: string, generate: boolean): number;
}

/**
 * The plan's indexed field paths as a trie over path segments, so one walk over the event feeds
 * every value to its field's automaton (and to the keyword automaton) without reading any path twice.
 */
interface PathNode {
  ac: AhoCorasick | undefined;
  /** This path's automaton together with the keyword one: one lookup per value. */
  memo: ScanMemo | undefined;
  kids: Map<string, PathNode> | undefined;
}

interface Plan {
  rules: number;
  always: number[];
  root: PathNode;
  /** Literals of keyword items: any string of the event may hold them. */
  keywords: ScanMemo | undefined;
  /** Per clause id: its rule, and how many clauses that rule needs to hit. */
  clauseRule: Int32Array;
  clauseNeed: Int32Array;
}

/** Deeper than this, keyword search (allStrings) does not look; the index walk need not either. */
const MAX_DEPTH = 32;

const MAX_PLANS = 4096;

/** Sigma categories that cover several narrower ones (taxonomy: registry_event = Sysmon 12, 13, 14). */
const CATEGORY_CHILDREN: Record<string, string[]> = {
  registry_event: ['registry_add', 'registry_delete', 'registry_set', 'registry_rename'],
};

export function applies(rule: LogSource, ev: LogSource): boolean {
  return (
    (!rule.product || rule.product === ev.product) &&
    (!rule.category || rule.category === ev.category || (ev.category !== undefined && CATEGORY_CHILDREN[rule.category]?.includes(ev.category) === true)) &&
    (!rule.service || rule.service === ev.service)
  );
}

function pathNode(root: PathNode, path: string): PathNode {
  let n = root;
  for (const part of path.split('.')) {
    n.kids ??= new Map();
    let c = n.kids.get(part);
    if (!c) n.kids.set(part, (c = { ac: undefined, memo: undefined, kids: undefined }));
    n = c;
  }
  return n;
}

/** A key holding dots (`id.orig_h`) stands for its segments in a path. */
function dottedChild(node: PathNode, key: string): PathNode | undefined {
  let n: PathNode | undefined = node;
  for (const part of key.split('.')) {
    n = n.kids?.get(part);
    if (!n) return undefined;
  }
  return n;
}

/** Keyword literals shorter than this occur in nearly every event (`:`, `@`, `=`). */
const WEAK_KEYWORD = 3;

/**
 * The clauses of a rule the index looks for. A keyword clause with a very short literal selects
 * nearly every event anyway, yet makes the keyword automaton read every text that holds that
 * character (times, paths, addresses) and remember it: it is left out when the rule has another
 * clause. Leaving a clause out only admits more candidates; evaluation still decides.
 */
export function indexedClauses(clauses: readonly (readonly Witness[])[]): readonly (readonly Witness[])[] {
  const strong = clauses.filter((c) => !c.some((w) => w.field === '' && w.text.length < WEAK_KEYWORD));
  return strong.length > 0 ? strong : clauses;
}

function flattenItems(n: CompiledNode, out: CompiledNode[] = []): CompiledNode[] {
  if (n.kind === 'item') out.push(n);
  else for (const c of n.items) flattenItems(c, out);
  return out;
}

/** Values shown per matched item, and their length: enough to read, never the whole event. */
const SHOWN_VALUES = 5;
const SHOWN_CHARS = 300;

/** A search's items, flattened once per compiled search rather than per match. */
const ITEMS = new WeakMap<CompiledNode, CompiledNode[]>();

/** The items of a true search that hold on this event (an any-of list holds through some of them). */
function heldItems(selection: string, node: CompiledNode, view: EventView): MatchedField[] {
  const out: MatchedField[] = [];
  let items = ITEMS.get(node);
  if (!items) ITEMS.set(node, (items = flattenItems(node)));
  for (const n of items) {
    if (!n.test(view)) continue;
    const it = (n as Extract<CompiledNode, { kind: 'item' }>).item;
    const values = it.field === null ? [] : view.values(it.field).slice(0, SHOWN_VALUES);
    out.push({
      selection,
      field: it.field,
      test: it.text,
      values: values.map((v) => (typeof v === 'string' && v.length > SHOWN_CHARS ? `${v.slice(0, SHOWN_CHARS)}…` : v)),
    });
  }
  return out;
}

export class SigmaRuleSet implements RuleSet {
  private plans = new Map<string, Plan>();
  /** By rule index: the compiled rule, or undefined while it is deferred (or failed to compile). */
  private readonly compiled: (CompiledRule | undefined)[];
  private readonly deferred: (DeferredRule | undefined)[];
  private readonly metas: RuleMeta[];
  private seen: Uint32Array;
  private hits: Uint16Array;
  private clauseSeen = new Uint32Array(0);
  private stamp = 0;
  private generate: boolean[];
  private counters = { events: 0, routed: 0, candidates: 0, evaluated: 0, matched: 0, errors: 0, plans: 0, plans_evicted: 0 };
  private indexed: number;

  constructor(rules: readonly (CompiledRule | DeferredRule)[]) {
    this.compiled = rules.map((r) => ('compile' in r ? undefined : r));
    this.deferred = rules.map((r) => ('compile' in r ? r : undefined));
    this.metas = rules.map((r) => r.meta);
    const now = this.compiled.filter((r): r is CompiledRule => r !== undefined);
    assignWitnesses(now);
    this.seen = new Uint32Array(rules.length);
    this.hits = new Uint16Array(rules.length);
    this.generate = rules.map(() => true);
    this.indexed = now.filter((r) => r.witnesses).length;
  }

  get size(): number {
    return this.metas.length;
  }

  rules(): RuleMeta[] {
    return this.metas.slice();
  }

  /** Each rule's own id and name (what filters, correlations and setGenerate refer to), without compiling it. */
  ruleRefs(): { id?: string; name?: string }[] {
    return this.compiled.map((r, i) => {
      const ref = r ? r.source : this.deferred[i]!.ref;
      return { ...(ref.id !== undefined ? { id: ref.id } : {}), ...(ref.name !== undefined ? { name: ref.name } : {}) };
    });
  }

  /** Every rule compiled (deferred ones now); a rule that failed to compile late is left out. */
  compiledRules(): readonly CompiledRule[] {
    this.ensure(this.metas.map((_, i) => i));
    return this.compiled.filter((r): r is CompiledRule => r !== undefined);
  }

  /** Rules whose cached outcome said they compile but whose compiling failed here (a different build or regex engine). */
  private lateFailures = 0;

  /** Compiles the deferred rules among `idx`, choosing their index clauses over the literals of all of `idx`. */
  private ensure(idx: readonly number[]): void {
    const fresh: CompiledRule[] = [];
    for (const i of idx) {
      const d = this.deferred[i];
      if (!d) continue;
      this.deferred[i] = undefined;
      const c = d.compile();
      // Matches carry the meta rules() handed out: callers key on its identity.
      if (c.ok) fresh.push((this.compiled[i] = { ...c.rule, meta: d.meta }));
      else this.lateFailures++;
    }
    if (fresh.length === 0) return;
    assignWitnesses(
      idx.map((i) => this.compiled[i]).filter((r): r is CompiledRule => r !== undefined),
      fresh,
    );
    this.indexed += fresh.filter((r) => r.witnesses).length;
  }

  /** The routing logsource of rule `i`, compiled or not. */
  private logsourceOf(i: number): LogSource | undefined {
    return this.compiled[i]?.source.logsource ?? this.deferred[i]?.logsource;
  }

  stats(): Record<string, number> {
    // Texts the index did not scan because no literal's characters were all in them (GUIDs, hashes).
    return {
      rules: this.metas.length,
      indexed_rules: this.indexed,
      deferred_rules: this.deferred.filter((d) => d !== undefined).length,
      late_compile_failures: this.lateFailures,
      ...this.counters,
      class_skipped: this.skippedGone + this.skippedInPlans(),
    };
  }

  private skippedInPlans(): number {
    let skipped = 0;
    const add = (n: PathNode): void => {
      if (n.memo) skipped += n.memo.skipped;
      if (n.kids) for (const c of n.kids.values()) add(c);
    };
    for (const p of this.plans.values()) {
      add(p.root);
      skipped += p.keywords?.skipped ?? 0;
    }
    return skipped;
  }

  private dropPlans(): void {
    this.skippedGone += this.skippedInPlans();
    this.plans.clear();
    this.last = undefined;
  }

  /** class_skipped of plans dropped since (the memo is evicted with its plan). */
  private skippedGone = 0;

  setGenerate(idOrName: string, generate: boolean): number {
    let n = 0;
    this.ruleRefs().forEach((r, i) => {
      if (r.id === idOrName || r.name === idOrName) {
        this.generate[i] = generate;
        n++;
      }
    });
    return n;
  }

  /** Streams come in runs of one logsource: the last plan is found without building a key. */
  private last: { product?: string; category?: string; service?: string; plan: Plan } | undefined;

  private plan(ls: LogSource): Plan {
    const last = this.last;
    if (last && last.product === ls.product && last.category === ls.category && last.service === ls.service) return last.plan;
    const p = this.planFor(ls);
    this.last = { product: ls.product, category: ls.category, service: ls.service, plan: p };
    return p;
  }

  private planFor(ls: LogSource): Plan {
    const key = `${ls.product ?? ''}\u0000${ls.category ?? ''}\u0000${ls.service ?? ''}`;
    let p = this.plans.get(key);
    if (p) return p;
    const always: number[] = [];
    const root: PathNode = { ac: undefined, memo: undefined, kids: undefined };
    let keywords: AhoCorasick | undefined;
    const clauseRule: number[] = [];
    const clauseNeed: number[] = [];
    let count = 0;
    const routed: number[] = [];
    for (let i = 0; i < this.metas.length; i++) {
      const rls = this.logsourceOf(i);
      if (rls && applies(rls, ls)) routed.push(i);
    }
    this.ensure(routed);
    for (const i of routed) {
      const r = this.compiled[i];
      if (!r) continue;
      count++;
      if (!r.witnesses) {
        always.push(i);
        continue;
      }
      const clauses = indexedClauses(r.witnesses);
      for (const clause of clauses) {
        const id = clauseRule.length;
        clauseRule.push(i);
        clauseNeed.push(clauses.length);
        for (const w of clause) {
          if (w.field === '') (keywords ??= new AhoCorasick()).add(w.text, id);
          else (pathNode(root, w.field).ac ??= new AhoCorasick()).add(w.text, id);
        }
      }
    }
    if (this.clauseSeen.length < clauseRule.length) this.clauseSeen = new Uint32Array(clauseRule.length);
    // Values at an indexed path are also keyword-searched, so both automata share one memo. That
    // also feeds keywords the values keyword search leaves out (`stowaway.*`), which only adds
    // candidates: the index may over-select, never under-select.
    const attach = (n: PathNode): void => {
      if (n.ac) n.memo = new ScanMemo(keywords ? [n.ac, keywords] : [n.ac]);
      if (n.kids) for (const c of n.kids.values()) attach(c);
    };
    attach(root);
    p = {
      rules: count,
      always,
      root,
      keywords: keywords && new ScanMemo([keywords]),
      clauseRule: Int32Array.from(clauseRule),
      clauseNeed: Int32Array.from(clauseNeed),
    };
    // Logsources come from events, so their number is bounded only by the data: cap the memo.
    if (this.plans.size >= MAX_PLANS) {
      this.dropPlans();
      this.counters.plans_evicted++;
    }
    this.plans.set(key, p);
    this.counters.plans = this.plans.size;
    return p;
  }

  /** Called once per event before its plan is looked up, so a wrap never meets a stale plan. */
  private nextStamp(): void {
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.clauseSeen.fill(0);
      // Automata remember stamps too; rebuilding the plans is the simplest complete reset.
      this.dropPlans();
      this.stamp = 1;
    }
  }

  /** Clause ids hit by the current event's scans; `hit` is bound once, not allocated per event. */
  private out: number[] = [];
  private curPlan: Plan | undefined;
  private readonly hit = (clause: number): void => {
    const stamp = this.stamp;
    if (this.clauseSeen[clause] === stamp) return;
    this.clauseSeen[clause] = stamp;
    const plan = this.curPlan!;
    const r = plan.clauseRule[clause]!;
    // A rule becomes a candidate once each of its clauses has seen one of its literals.
    if (this.seen[r] !== stamp) {
      this.seen[r] = stamp;
      this.hits[r] = 0;
    }
    if ((this.hits[r] = this.hits[r]! + 1) === plan.clauseNeed[clause]) this.out.push(r);
  };

  private candidates(plan: Plan, event: unknown): number[] {
    const out = (this.out = plan.always.slice());
    this.curPlan = plan;
    this.walk(event, plan.root, plan.keywords, 0);
    this.curPlan = undefined;
    // Rule order, whatever order the event's keys came in.
    if (out.length > 1) out.sort((a, b) => a - b);
    return out;
  }

  /**
   * Feeds each string (and number) of the event to the automaton of its field path, when a rule
   * indexes that path, and to the keyword automaton. Raw values: the automata fold case
   * themselves, so only candidates pay for lowercasing. Paths follow the accessor's rules: arrays
   * fan out, and a literal dotted key counts as its segments.
   */
  private walk(x: unknown, node: PathNode | undefined, kw: ScanMemo | undefined, depth: number): void {
    let text: string;
    switch (typeof x) {
      case 'string':
        text = x;
        break;
      case 'number':
      case 'boolean':
      case 'bigint': {
        // pids, ports, serials: most automata hold no literal their text could contain
        const m = node?.memo ?? kw;
        if (!m || (!m.scalars && (typeof x !== 'number' || Number.isFinite(x)))) return;
        text = String(x);
        break;
      }
      case 'object': {
        if (x === null) return;
        if (depth > MAX_DEPTH) kw = undefined;
        if (Array.isArray(x)) {
          for (let i = 0; i < x.length; i++) this.walk(x[i], node, kw, depth + 1);
          return;
        }
        const kids = node?.kids;
        if (!kids) {
          if (kw) this.keywordsIn(x, kw, depth);
          return;
        }
        const rec = x as Record<string, unknown>;
        for (const k in rec) {
          const child = kids.get(k) ?? (k.includes('.') ? dottedChild(node, k) : undefined);
          // Stowaway's own bookkeeping is not event content for keyword search.
          const words = depth === 0 && k === 'stowaway' ? undefined : kw;
          if (child) this.walk(rec[k], child, words, depth + 1);
          else if (words) this.keywordsOf(rec[k], words, depth + 1);
        }
        return;
      }
      default:
        return;
    }
    const memo = node?.memo;
    if (memo) memo.find(text, this.hit, this.stamp);
    else if (kw) kw.find(text, this.hit, this.stamp);
  }

  /**
   * The walk below a path no rule indexes: only the keyword automaton looks, so the path trie is
   * not consulted for each key. Same reach as `walk` (and as keyword search): objects deeper than
   * MAX_DEPTH are not entered, `stowaway` at the top is left out.
   */
  private keywordsIn(x: object, kw: ScanMemo, depth: number): void {
    const hit = this.hit;
    const stamp = this.stamp;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const v: unknown = x[i];
        if (typeof v === 'string') kw.find(v, hit, stamp);
        else this.keywordsOf(v, kw, depth + 1);
      }
      return;
    }
    const rec = x as Record<string, unknown>;
    for (const k in rec) {
      if (depth === 0 && k === 'stowaway') continue;
      const v = rec[k];
      if (typeof v === 'string') kw.find(v, hit, stamp);
      else this.keywordsOf(v, kw, depth + 1);
    }
  }

  /** One value at `depth` for the keyword automaton alone. */
  private keywordsOf(v: unknown, kw: ScanMemo, depth: number): void {
    switch (typeof v) {
      case 'string':
        kw.find(v, this.hit, this.stamp);
        return;
      case 'object':
        if (v !== null && depth <= MAX_DEPTH) this.keywordsIn(v, kw, depth);
        return;
      case 'number':
        if (kw.scalars || !Number.isFinite(v)) kw.find(String(v), this.hit, this.stamp);
        return;
      case 'boolean':
      case 'bigint':
        if (kw.scalars) kw.find(String(v), this.hit, this.stamp);
        return;
      default:
        return;
    }
  }

  match(event: StowawayEvent): RuleMatch[] {
    this.counters.events++;
    this.nextStamp();
    const plan = this.plan(event?.stowaway?.logsource ?? {});
    this.counters.routed += plan.rules;
    if (plan.rules === 0) return [];
    const cands = this.candidates(plan, event);
    this.counters.candidates += cands.length;
    const out: RuleMatch[] = [];
    if (cands.length === 0) return out;
    const view = new EventView(event);
    for (const i of cands) {
      const r = this.compiled[i]!;
      this.counters.evaluated++;
      let ok: boolean;
      try {
        ok = r.test(view);
      } catch {
        // A matcher must not take the stream down; the counter makes it visible.
        this.counters.errors++;
        continue;
      }
      if (!ok) continue;
      this.counters.matched++;
      const selections: string[] = [];
      const generate = this.generate[i]!;
      // What matched is shown on alerts; a rule that only feeds correlations raises none.
      const matched: MatchedField[] | undefined = generate ? [] : undefined;
      for (const s of r.searches.values())
        if (!s.name.startsWith('_pipeline_cond_') && !s.name.startsWith('_filter') && s.test(view)) {
          selections.push(s.name);
          matched?.push(...heldItems(s.name, s.node, view));
        }
      out.push({ rule: r.meta, selections, ...(matched ? { matched } : {}), generate, name: r.source.name });
    }
    return out;
  }

  explain(ref: string, event: StowawayEvent): Explanation {
    const refs = this.ruleRefs();
    const idx = refs.findIndex((r, i) => r.id === ref || r.name === ref || this.metas[i]!.title === ref);
    if (idx < 0) return { found: false, matched: false, searches: [], summary: `no loaded rule has id, name or title '${ref}'` };
    this.ensure([idx]);
    const r = this.compiled[idx];
    if (!r) return { found: false, matched: false, searches: [], summary: `rule '${ref}' did not compile here` };
    const view = new EventView(event);
    const evLs = event?.stowaway?.logsource ?? {};
    const routed = applies(r.source.logsource, evLs);
    let candidate = true;
    if (r.witnesses)
      candidate = indexedClauses(r.witnesses).every((clause) =>
        clause.some((w) => (w.field === '' ? view.allStrings(true) : view.lowered(w.field)).some((s) => s.includes(w.text))),
      );
    const searches: SearchExplanation[] = [...r.searches.values()].map((s) => ({
      name: s.name,
      value: s.test(view),
      combine: s.node.kind,
      items: flattenItems(s.node).map((n) => {
        const it = (n as Extract<CompiledNode, { kind: 'item' }>).item;
        return { field: it.field, text: it.text, value: n.test(view), actual: it.field === null ? [] : view.values(it.field).slice(0, 5) };
      }),
    }));
    const matched = r.test(view);
    const ls = (l: LogSource) => ['product', 'category', 'service'].map((k) => `${k}=${(l as Record<string, string | undefined>)[k] ?? '-'}`).join(' ');
    let summary: string;
    if (!routed) summary = `not evaluated: rule logsource (${ls(r.source.logsource)}) does not apply to the event's (${ls(evLs)})`;
    else if (matched)
      summary = `matched: condition '${r.source.detection.conditionText.join(' | ')}' is true (true: ${searches
        .filter((s) => s.value)
        .map((s) => s.name)
        .join(', ')})`;
    else
      summary = `no match: condition '${r.source.detection.conditionText.join(' | ')}' is false (true: ${
        searches
          .filter((s) => s.value)
          .map((s) => s.name)
          .join(', ') || 'none'
      }; false: ${searches
        .filter((s) => !s.value)
        .map((s) => s.name)
        .join(', ')})`;
    if (routed && matched && !candidate) summary += ' — but the candidate index would not select it (index bug; please report)';
    return {
      found: true,
      rule: r.meta,
      logsource: { rule: r.source.logsource, event: evLs, applies: routed },
      candidate,
      matched: routed && matched,
      condition: r.source.detection.conditionText,
      searches,
      summary,
    };
  }
}
