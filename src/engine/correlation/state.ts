// The typed state of the correlation engine: what windows hold (items, entries), groups in
// their activity list, sequence chains, and one state per correlation rule.
import type { StowawayEvent } from '../../model/event.js';
import type { MinHeap } from './heap.js';
import type { CorrelationCounters, CorrelationRule } from '../../sigma/correlation/types.js';

/** What a window holds: a base rule match or an upstream correlation finding. */
export interface Item {
  t: number;
  seq: number;
  /** Ids and names this item answers to in `rules:` and `aliases:`. */
  keys: string[];
  ruleId: string;
  /** Same for every match of one event: an event cannot come before itself in a sequence. */
  origin: number;
  event: StowawayEvent;
  events: StowawayEvent[];
  group?: Record<string, unknown>;
}

/**
 * One input inside a window. It keeps its own copy of what a finding needs, not the item,
 * so the events of entries in the middle of a long window can be let go (see `thin`).
 */
export interface Entry {
  t: number;
  seq: number;
  origin: number;
  ruleId: string;
  value?: unknown;
  /** How many events the input stood for (an upstream finding may stand for many). */
  n: number;
  events?: StowawayEvent[];
}

export function entryOf(item: Item, value?: unknown): Entry {
  const e: Entry = { t: item.t, seq: item.seq, origin: item.origin, ruleId: item.ruleId, n: item.events.length, events: item.events };
  if (value !== undefined) e.value = value;
  return e;
}

export interface Group {
  key: string;
  /** Activity list, least recently active first: expiry and eviction walk it from the head. */
  prev?: Group;
  next?: Group;
  values: Record<string, unknown>;
  last: number;
  /** The event that last entered this group, and the one that completed its last sequence. */
  lastOrigin?: number;
  firedOrigin?: number;
  entries: Entry[];
  /** Start of the anchored window (conditions with an upper bound). */
  start?: number;
  /** value_count: value key → occurrences in the window. */
  distinct?: Map<string, number>;
  /** value_sum / value_avg: running sum and count of numeric values. */
  sum?: number;
  n?: number;
  /** temporal: newest entry per referenced rule. */
  latest?: (Entry | undefined)[];
  /** temporal_ordered: per step k, the chain for rules[0..k] with the latest start. */
  prefix?: (Step | undefined)[];
}

/** A partial sequence: rules[0..k] seen in order, starting at `start`. */
export interface Chain {
  start: number;
  chain: Entry[];
}

/**
 * Per step, the chain with the latest start, and the best one ending in a different event:
 * the matches of one event arrive one after another, and the second must not extend a chain
 * the first has just ended.
 */
export interface Step {
  best: Chain;
  alt?: Chain;
}

export interface State {
  rule: CorrelationRule;
  index: number;
  /** Upper-bounded count conditions are judged when the window closes, not as events arrive. */
  closing: boolean;
  /** Anchored window ends, earliest first, so the watermark closes them on time. */
  ends: MinHeap<{ end: number; group: Group; start: number }>;
  groups: Map<string, Group>;
  head?: Group;
  tail?: Group;
  counters: CorrelationCounters;
  /** Findings leave the engine (not only feed other correlations). */
  emit: boolean;
  /** Downstream correlations fed by this one's findings. */
  consumers: Consumer[];
}

export interface Consumer {
  state: State;
  positions: number[];
}

/** The group key of a value that is not there: no value of the event can collide with it. */
export const MISSING = '\u0000missing';

// ---- the activity list: groups least recently active first -------------------------

export function unlink(s: State, g: Group): void {
  if (g.prev) g.prev.next = g.next;
  else s.head = g.next;
  if (g.next) g.next.prev = g.prev;
  else s.tail = g.prev;
  g.prev = g.next = undefined;
}

export function append(s: State, g: Group): void {
  g.prev = s.tail;
  g.next = undefined;
  if (s.tail) s.tail.next = g;
  else s.head = g;
  s.tail = g;
}

export function drop(s: State, g: Group): void {
  unlink(s, g);
  s.groups.delete(g.key);
}
