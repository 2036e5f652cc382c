// Correlation YAML document → typed CorrelationRule, or diagnostics saying why not.
// Reference checks (do the named rules exist?) need the whole rule set and happen
// when the correlation engine is built; here only the document itself is judged.
import type { Diagnostic } from '../../model/diagnostic.js';
import { LEVELS, type Level, type RuleMeta } from '../../model/alert.js';
import { CONDITION_OPS, CORRELATION_TYPES, type Condition, type ConditionOp, type CorrelationRule, type CorrelationType } from './types.js';
import { parseDuration } from './timespan.js';

const VALUE_TYPES: readonly CorrelationType[] = ['value_count', 'value_sum', 'value_avg', 'value_percentile'];
const TEMPORAL_TYPES: readonly CorrelationType[] = ['temporal', 'temporal_ordered'];
const CORRELATION_KEYS = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate']);
const TIMESPAN = /^\d+[smhdw]$/;

export function parseCorrelation(doc: Record<string, unknown>, ctx: { file: string; line?: number }): { rule?: CorrelationRule; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const label = str(doc.id) ?? str(doc.name) ?? str(doc.title);
  const report = (severity: Diagnostic['severity'], code: string, message: string): void => {
    diagnostics.push({ severity, code, message, file: ctx.file, line: ctx.line, rule: label });
  };
  const refuse = (): { diagnostics: Diagnostic[] } => ({ diagnostics });

  const title = str(doc.title);
  if (!title) report('error', 'missing-title', 'correlation rule has no title');
  const body = doc.correlation;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    report('error', 'bad-correlation', '`correlation` must be a mapping with type, rules, group-by, timespan and condition');
    return refuse();
  }
  const c = body as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (!CORRELATION_KEYS.has(k)) report('warning', 'unknown-correlation-key', `unknown key correlation.${k} is ignored`);
  }

  const type = c.type;
  if (typeof type !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(type)) {
    report('error', 'unknown-correlation-type', `correlation type ${JSON.stringify(type)} is not one of ${CORRELATION_TYPES.join(', ')}`);
    return refuse();
  }
  const ctype = type as CorrelationType;

  const rules = stringList(c.rules);
  if (!rules || rules.length === 0) {
    report('error', 'missing-rules', 'correlation.rules must list at least one rule id or name');
  } else if (new Set(rules).size !== rules.length) {
    report('warning', 'duplicate-rule-reference', 'correlation.rules names a rule more than once');
  }
  if (rules && ctype === 'temporal_ordered' && rules.length < 2) {
    report('error', 'bad-rules', 'temporal_ordered needs at least two rules to order');
  }

  let groupBy: string[] = [];
  if (c['group-by'] === undefined) {
    report('warning', 'missing-group-by', 'no group-by: all matching events form one group');
  } else {
    const g = stringList(c['group-by']);
    if (!g) report('error', 'bad-group-by', 'correlation.group-by must be a list of field names');
    else groupBy = g;
  }

  let timespanMs: number | undefined;
  const ts = c.timespan;
  if (ts === undefined) {
    report('error', 'missing-timespan', 'correlation.timespan is required (e.g. 5m, 1h, 1d)');
  } else if (typeof ts !== 'string' || !TIMESPAN.test(ts.trim()) || (timespanMs = parseDuration(ts.trim())) === undefined || timespanMs <= 0) {
    report('error', 'bad-timespan', `timespan ${JSON.stringify(ts)} is not a positive number followed by s, m, h, d or w`);
    timespanMs = undefined;
  }

  const cond = parseCondition(c.condition, ctype, rules?.length ?? 0, report);

  const aliases: Record<string, Record<string, string>> = {};
  if (c.aliases !== undefined) {
    if (c.aliases === null || typeof c.aliases !== 'object' || Array.isArray(c.aliases)) {
      report('error', 'bad-aliases', 'correlation.aliases must map alias names to {rule: field} mappings');
    } else {
      for (const [alias, map] of Object.entries(c.aliases as Record<string, unknown>)) {
        if (map === null || typeof map !== 'object' || Array.isArray(map)) {
          report('error', 'bad-aliases', `alias ${alias} must map rule names to field names`);
          continue;
        }
        const entry: Record<string, string> = {};
        for (const [ruleRef, field] of Object.entries(map as Record<string, unknown>)) {
          if (typeof field !== 'string' || !field) {
            report('error', 'bad-aliases', `alias ${alias}: field for rule ${ruleRef} must be a field name`);
            continue;
          }
          if (rules && !rules.includes(ruleRef)) {
            report('warning', 'alias-unknown-rule', `alias ${alias} names rule ${ruleRef}, which correlation.rules does not list`);
          }
          entry[ruleRef] = field;
        }
        aliases[alias] = entry;
        if (!groupBy.includes(alias)) report('warning', 'unused-alias', `alias ${alias} is not used in group-by`);
      }
    }
  }

  // The specification puts `generate` beside `level`; some rules carry it inside `correlation`.
  const genRaw = doc.generate ?? c.generate;
  if (genRaw !== undefined && typeof genRaw !== 'boolean') report('error', 'bad-generate', '`generate` must be true or false');
  const generate = genRaw === true;

  let level: Level = 'medium';
  if (doc.level !== undefined) {
    if (typeof doc.level === 'string' && (LEVELS as readonly string[]).includes(doc.level)) level = doc.level as Level;
    else report('warning', 'bad-level', `level ${JSON.stringify(doc.level)} is not one of ${LEVELS.join(', ')}; using medium`);
  }

  if (diagnostics.some((d) => d.severity === 'error') || !title || !rules || timespanMs === undefined || cond === null) {
    return refuse();
  }

  const id = str(doc.id);
  const name = str(doc.name);
  const meta: RuleMeta = {
    id: id ?? name ?? title,
    title,
    kind: 'correlation',
    level,
    tags: stringList(doc.tags) ?? [],
    file: ctx.file,
  };
  if (name) meta.name = name;
  const description = str(doc.description);
  if (description) meta.description = description;
  const status = str(doc.status);
  if (status) meta.status = status;
  const author = str(doc.author);
  if (author) meta.author = author;
  const references = stringList(doc.references);
  if (references) meta.references = references;
  const fps = typeof doc.falsepositives === 'string' ? [doc.falsepositives] : stringList(doc.falsepositives);
  if (fps) meta.falsepositives = fps;

  const rule: CorrelationRule = {
    kind: 'correlation',
    title,
    type: ctype,
    rules,
    groupBy,
    timespanMs,
    timespan: String(ts).trim(),
    aliases,
    generate,
    meta,
    file: ctx.file,
  };
  if (id) rule.id = id;
  if (name) rule.name = name;
  if (ctx.line !== undefined) rule.line = ctx.line;
  if (cond.condition) rule.condition = cond.condition;
  if (cond.field) rule.field = cond.field;
  return { rule, diagnostics };
}

function parseCondition(
  raw: unknown,
  type: CorrelationType,
  ruleCount: number,
  report: (s: Diagnostic['severity'], code: string, msg: string) => void,
): { condition?: Condition; field?: string[] } | null {
  const temporal = TEMPORAL_TYPES.includes(type);
  const needsField = VALUE_TYPES.includes(type);
  if (raw === undefined || raw === null) {
    if (temporal) return {};
    report('error', 'missing-condition', `${type} needs a condition (e.g. gte: 10)`);
    return null;
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    report('error', 'bad-condition', 'correlation.condition must be a mapping such as {gte: 10}');
    return null;
  }
  const condition: Condition = {};
  let field: string[] | undefined;
  let ok = true;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === 'field') {
      const f = typeof v === 'string' ? [v] : stringList(v);
      if (!f || f.length === 0) {
        report('error', 'bad-condition', 'condition.field must be a field name or a list of field names');
        ok = false;
      } else field = f;
      continue;
    }
    if (!(CONDITION_OPS as readonly string[]).includes(k)) {
      report('error', 'unknown-condition-operator', `condition operator ${k} is not one of ${CONDITION_OPS.join(', ')}`);
      ok = false;
      continue;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      report('error', 'bad-condition', `condition ${k} needs a number, got ${JSON.stringify(v)}`);
      ok = false;
      continue;
    }
    condition[k as ConditionOp] = n;
  }
  if (!ok) return null;
  if (Object.keys(condition).length === 0) {
    if (temporal) return {};
    report('error', 'missing-condition', `${type} condition needs a comparison (gt, gte, lt, lte, eq or neq)`);
    return null;
  }
  if (needsField && !field) {
    report('error', 'missing-condition-field', `${type} needs condition.field naming the field to aggregate`);
    return null;
  }
  if (!needsField && field) {
    report('error', 'unexpected-condition-field', `condition.field only applies to value_* correlations, not ${type}`);
    return null;
  }
  if (field && field.length > 1 && type !== 'value_count') {
    report('error', 'bad-condition', `${type} aggregates one numeric field; got ${field.length}`);
    return null;
  }
  if (type === 'temporal' && (condition.lt !== undefined || condition.lte !== undefined || condition.neq !== undefined)) {
    // Rules are counted as they arrive; an upper bound on that count has no moment at which it is decided.
    report('error', 'unsupported-condition', 'temporal supports gt, gte and eq on the number of distinct rules seen');
    return null;
  }
  if (type === 'temporal_ordered') {
    // An ordered sequence is complete only when every step happened; a partial count has no order to check.
    const n = ruleCount;
    if (!satisfies(condition, n) || (n > 1 && satisfies(condition, n - 1))) {
      report('error', 'unsupported-condition', `temporal_ordered supports only the implied condition "all ${n} rules in order"`);
      return null;
    }
    return {};
  }
  return field ? { condition, field } : { condition };
}

/** Every comparison of the condition holds for `value` (they are joined by AND). */
export function satisfies(cond: Condition, value: number): boolean {
  if (cond.gt !== undefined && !(value > cond.gt)) return false;
  if (cond.gte !== undefined && !(value >= cond.gte)) return false;
  if (cond.lt !== undefined && !(value < cond.lt)) return false;
  if (cond.lte !== undefined && !(value <= cond.lte)) return false;
  if (cond.eq !== undefined && !(value === cond.eq)) return false;
  if (cond.neq !== undefined && !(value !== cond.neq)) return false;
  return true;
}

/** True when the condition has an upper bound, so a growing count can still turn it false. */
export function hasUpperBound(cond: Condition): boolean {
  return cond.lt !== undefined || cond.lte !== undefined || cond.eq !== undefined || cond.neq !== undefined;
}

export function describeCondition(cond: Condition | undefined): string {
  if (!cond) return 'all rules';
  return Object.entries(cond)
    .map(([k, v]) => `${k} ${v}`)
    .join(' and ');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return undefined;
  if (!v.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined;
  return v.map(String);
}
