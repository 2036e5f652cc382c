// Correlation rule AST (Sigma specification v2.1, correlation rules).
import type { MatchedField, RuleMeta } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export const CORRELATION_TYPES: readonly CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
];

export type ConditionOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
export const CONDITION_OPS: readonly ConditionOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

/** One or more comparisons joined by AND (`gt: 100, lte: 200` is the range 101..200). */
export type Condition = Partial<Record<ConditionOp, number>>;

export interface CorrelationRule {
  kind: 'correlation';
  id?: string;
  name?: string;
  title: string;
  type: CorrelationType;
  /** Ids or names of Sigma rules or other correlations, as written. */
  rules: string[];
  /** Group-by field names; an alias name stands for a per-rule field (see `aliases`). */
  groupBy: string[];
  /** Window length in milliseconds. */
  timespanMs: number;
  /** The timespan as written (`90m`), for messages and output. */
  timespan: string;
  /** Absent for temporal types, where "every referenced rule" is implied. */
  condition?: Condition;
  /** Field(s) aggregated by value_* types; several fields form one tuple value (value_count). */
  field?: string[];
  /** alias name → (rule id or name → field name in events matched by that rule). */
  aliases: Record<string, Record<string, string>>;
  /** Whether the referenced rules also raise findings of their own (default false). */
  generate: boolean;
  meta: RuleMeta;
  file?: string;
  line?: number;
}

/** A base rule match as the Sigma rule set reports it (`RuleSet.match`). */
export interface BaseMatch {
  rule: RuleMeta;
  selections: string[];
  matched?: MatchedField[];
  generate: boolean;
  name?: string;
}

/** Knobs that bound the correlation state; every limit has a counter. */
export interface CorrelationLimits {
  /** Open groups kept per correlation rule; the least recently active is evicted first. */
  maxGroups: number;
  /** Contributing events a finding carries: the first N and the last N of the window (at least 1). */
  keepEvents: number;
  /** Inputs one group's window holds; past it the oldest are forgotten (counter `truncated`). */
  maxWindowEntries: number;
}

export const DEFAULT_LIMITS: CorrelationLimits = { maxGroups: 10_000, keepEvents: 5, maxWindowEntries: 100_000 };

/** Counters per correlation rule, for stats and the health view. */
export interface CorrelationCounters {
  groups: number;
  peak_groups: number;
  entries: number;
  findings: number;
  evicted: number;
  expired: number;
  late: number;
  /** Times a window hit `maxWindowEntries` and forgot its oldest inputs. */
  truncated: number;
}

export type { StowawayEvent };
