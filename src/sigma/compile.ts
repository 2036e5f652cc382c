// A rule (after pipelines and filters) → closures. Each rule is compiled once; the result also
// carries its witnesses, the literals at least one of which any matching event must contain.
import type { ConditionNode, DetectionNode, SigmaFilter, SigmaRule } from './ast.js';
import type { RuleMeta } from '../model/alert.js';
import type { EventView } from './fields.js';
import { compileItem, type CompiledItem, type ItemOptions, type Witness } from './modifiers.js';

export type Test = (v: EventView) => boolean;

export type CompiledNode = { kind: 'and' | 'or'; items: CompiledNode[]; test: Test } | { kind: 'item'; item: CompiledItem; test: Test };

export interface CompiledSearch {
  name: string;
  node: CompiledNode;
  test: Test;
}

export interface CompiledRule {
  meta: RuleMeta;
  /** The rule as compiled: after pipelines and filters. */
  source: SigmaRule;
  searches: Map<string, CompiledSearch>;
  condition: ConditionNode;
  test: Test;
  /** Candidate-index clauses (all must hit); undefined when the rule must always be evaluated. */
  witnesses?: Witness[][];
}

export type CompileRuleResult = { ok: true; rule: CompiledRule } | { ok: false; code: string; reason: string; line?: number };

class Refusal extends Error {
  constructor(
    readonly code: string,
    reason: string,
    readonly line?: number,
  ) {
    super(reason);
  }
}

function compileNode(n: DetectionNode, opts: ItemOptions): CompiledNode {
  if (n.kind === 'item') {
    const r = compileItem(n.item, opts);
    if (!r.ok) throw new Refusal(r.code, r.reason, n.item.line);
    return { kind: 'item', item: r.item, test: r.item.test };
  }
  const items = n.items.map((c) => compileNode(c, opts));
  const tests = items.map((c) => c.test);
  let test: Test;
  if (tests.length === 0) test = n.kind === 'and' ? () => true : () => false;
  else if (tests.length === 1) test = tests[0]!;
  else if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    test = n.kind === 'and' ? (v) => a(v) && b(v) : (v) => a(v) || b(v);
  } else test = n.kind === 'and' ? (v) => tests.every((t) => t(v)) : (v) => tests.some((t) => t(v));
  return { kind: n.kind, items, test };
}

function compileCondition(c: ConditionNode, searches: Map<string, CompiledSearch>): Test {
  switch (c.kind) {
    case 'id': {
      const s = searches.get(c.name);
      if (!s) throw new Refusal('bad-condition', `unknown search identifier '${c.name}'`);
      return s.test;
    }
    case 'not': {
      const t = compileCondition(c.expr, searches);
      return (v) => !t(v);
    }
    case 'and':
    case 'or': {
      const ts = c.items.map((x) => compileCondition(x, searches));
      if (ts.length === 2) {
        const [a, b] = ts as [Test, Test];
        return c.kind === 'and' ? (v) => a(v) && b(v) : (v) => a(v) || b(v);
      }
      return c.kind === 'and' ? (v) => ts.every((t) => t(v)) : (v) => ts.some((t) => t(v));
    }
    case 'of': {
      const ts = c.names.map((n) => compileCondition({ kind: 'id', name: n }, searches));
      return c.quantifier === 'all' ? (v) => ts.every((t) => t(v)) : (v) => ts.some((t) => t(v));
    }
  }
}

// Witnesses form a conjunction of clauses, each clause a disjunction of literals: an event can
// only match if every clause has a literal present. AND adds clauses; OR keeps one clause per
// branch and unions them; NOT gives no constraint.
type Clauses = Witness[][];
const MAX_CLAUSES = 3;

/**
 * How many rules use each literal: a literal many rules test (`type: EXECVE`) is probably
 * common in the data too, so clauses made of rarer literals are preferred.
 */
export type LiteralFrequency = Map<string, number>;
const litKey = (w: Witness) => w.field + '\u0000' + w.text;

function score(c: Witness[], freq: LiteralFrequency): number {
  let worst = 0;
  let shortest = Infinity;
  for (const w of c) {
    worst = Math.max(worst, freq.get(litKey(w)) ?? 1);
    shortest = Math.min(shortest, w.text.length);
  }
  // Rarity dominates, and grows faster than linearly: a literal dozens of rules test (a record
  // type, an event id) is in nearly every event of its logsource. Short literals (1-3 characters)
  // hit nearly everything, so they count as common.
  return worst * worst * (shortest < 4 ? 50 / shortest : 1) + c.length / 1000;
}

function rank(cs: Clauses, freq: LiteralFrequency): Clauses {
  return [...cs].sort((a, b) => score(a, freq) - score(b, freq)).slice(0, MAX_CLAUSES);
}

function disjunction(parts: Clauses[], freq: LiteralFrequency): Clauses {
  if (parts.length === 0 || parts.some((p) => p.length === 0)) return [];
  return [parts.flatMap((p) => rank(p, freq)[0]!)];
}

function nodeClauses(n: CompiledNode, freq: LiteralFrequency): Clauses {
  if (n.kind === 'item') return n.item.witnesses ? [n.item.witnesses] : [];
  const parts = n.items.map((x) => nodeClauses(x, freq));
  return n.kind === 'or' ? disjunction(parts, freq) : rank(parts.flat(), freq);
}

function conditionClauses(c: ConditionNode, searches: Map<string, CompiledSearch>, freq: LiteralFrequency): Clauses {
  switch (c.kind) {
    case 'id':
      return nodeClauses(searches.get(c.name)!.node, freq);
    case 'not':
      return [];
    case 'and':
    case 'or':
    case 'of': {
      const kids = c.kind === 'of' ? c.names.map((name) => ({ kind: 'id' as const, name })) : c.items;
      const parts = kids.map((k) => conditionClauses(k, searches, freq));
      const isOr = c.kind === 'or' || (c.kind === 'of' && c.quantifier === 'one');
      return isOr ? disjunction(parts, freq) : rank(parts.flat(), freq);
    }
  }
}

function eachItem(n: CompiledNode, f: (it: CompiledItem) => void): void {
  if (n.kind === 'item') f(n.item);
  else for (const c of n.items) eachItem(c, f);
}

/**
 * Chooses the candidate-index clauses of `assign` (default: every rule), using literal
 * frequencies across `rules`. Any choice is sound (the index may over-select, never
 * under-select); frequencies only make it select less.
 */
export function assignWitnesses(rules: readonly CompiledRule[], assign: readonly CompiledRule[] = rules): void {
  const freq: LiteralFrequency = new Map();
  for (const r of rules) {
    const mine = new Set<string>();
    for (const s of r.searches.values()) eachItem(s.node, (it) => it.witnesses?.forEach((w) => mine.add(litKey(w))));
    for (const k of mine) freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  for (const r of assign) {
    const clauses = conditionClauses(r.condition, r.searches, freq);
    r.witnesses = clauses.length ? clauses : undefined;
  }
}

export function ruleMeta(r: SigmaRule): RuleMeta {
  return {
    id: r.id ?? r.title,
    title: r.title,
    kind: 'sigma',
    level: r.level,
    tags: r.tags,
    name: r.name,
    description: r.description,
    status: r.status,
    author: r.author,
    references: r.references,
    falsepositives: r.falsepositives,
    file: r.file,
  };
}

export function compileRule(rule: SigmaRule, opts: ItemOptions): CompileRuleResult {
  try {
    const searches = new Map<string, CompiledSearch>();
    for (const s of rule.detection.searches) {
      let node: CompiledNode;
      try {
        node = compileNode(s.node, opts);
      } catch (e) {
        if (e instanceof Refusal && e.line === undefined) throw new Refusal(e.code, e.message, s.line);
        throw e;
      }
      searches.set(s.name, { name: s.name, node, test: node.test });
    }
    const test = compileCondition(rule.detection.condition, searches);
    // Witnesses are chosen by the rule set, over literal frequencies of all its rules.
    return { ok: true, rule: { meta: ruleMeta(rule), source: rule, searches, condition: rule.detection.condition, test } };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, code: e.code, reason: e.message, line: e.line };
    return { ok: false, code: 'compile-error', reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Rule references in filters and correlations: by id or by name. */
export function refersTo(ref: string, r: { id?: string; name?: string; title?: string }): boolean {
  return ref === r.id || ref === r.name;
}

/** True when every logsource field the filter names equals the rule's. */
export function filterApplies(f: SigmaFilter, r: SigmaRule): boolean {
  const ls = f.logsource;
  return (
    (!ls.product || ls.product === r.logsource.product) &&
    (!ls.category || ls.category === r.logsource.category) &&
    (!ls.service || ls.service === r.logsource.service)
  );
}

/** AND-s a (pipelined) filter's condition into a rule, renaming its identifiers apart. */
export function withFilter(rule: SigmaRule, f: SigmaFilter, n: number): SigmaRule {
  const prefix = `_filter${n}_`;
  const rename = (c: ConditionNode): ConditionNode => {
    switch (c.kind) {
      case 'id':
        return { kind: 'id', name: prefix + c.name };
      case 'not':
        return { kind: 'not', expr: rename(c.expr) };
      case 'and':
      case 'or':
        return { kind: c.kind, items: c.items.map(rename) };
      case 'of':
        return { ...c, names: c.names.map((x) => prefix + x) };
    }
  };
  return {
    ...rule,
    detection: {
      searches: [...rule.detection.searches, ...f.detection.searches.map((s) => ({ ...s, name: prefix + s.name }))],
      conditionText: [...rule.detection.conditionText],
      condition: { kind: 'and', items: [rule.detection.condition, rename(f.detection.condition)] },
    },
  };
}
