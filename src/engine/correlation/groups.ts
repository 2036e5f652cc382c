// Group keys: the values of a correlation's `group-by` (through its aliases, a finding's own
// group, and the pipelines' field paths) and the group they select, bounded in number.
import { accessor } from '../../sigma/fields.js';
import { append, drop, MISSING, unlink, type Group, type Item, type State } from './state.js';

export interface FieldReader {
  /** One field of an item as the correlation names it; an array when the event has several values. */
  fieldOf: (s: State, item: Item, field: string) => unknown;
  /** The rule's `field` value(s) for an item: undefined when any is missing. */
  valueOf: (s: State, item: Item) => unknown;
}

export function fieldReader(fieldPaths: (field: string) => string[]): FieldReader {
  function fieldOf(s: State, item: Item, field: string): unknown {
    let actual = field;
    const alias = s.rule.aliases[field];
    if (alias) {
      const k = item.keys.find((key) => alias[key] !== undefined);
      if (k !== undefined) actual = alias[k]!;
    }
    if (item.group && actual in item.group) {
      const v = item.group[actual];
      if (v !== null && v !== undefined) return v;
    }
    for (const p of fieldPaths(actual)) {
      // The matcher's path semantics: nested objects, literal dotted keys, arrays fan out.
      const vs = accessor(p)(item.event).filter((v) => v !== null && v !== undefined);
      if (vs.length === 1) return vs[0];
      if (vs.length > 1) return vs;
    }
    return undefined;
  }
  function valueOf(s: State, item: Item): unknown {
    const fields = s.rule.field;
    if (!fields) return undefined;
    if (fields.length === 1) return fieldOf(s, item, fields[0]!);
    const vs = fields.map((f) => fieldOf(s, item, f));
    return vs.some((v) => v === undefined) ? undefined : vs;
  }
  return { fieldOf, valueOf };
}

/** The group key of an item: its group-by values, typed so that `1` and `"1"` differ and a missing value matches nothing else. */
export function groupKey(read: FieldReader, s: State, item: Item): { key: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const f of s.rule.groupBy) {
    const v = read.fieldOf(s, item, f);
    values[f] = v ?? null;
    parts.push(v === undefined ? MISSING : typeof v === 'string' ? 's' + v : 'j' + JSON.stringify(v));
  }
  return { key: parts.join('\u0001'), values };
}

/**
 * The group an item enters, moved to the end of the activity list; a new one past `maxGroups`
 * first evicts the least recently active group (counted).
 */
export function enterGroup(s: State, key: string, values: Record<string, unknown>, t: number, maxGroups: number): Group {
  let g = s.groups.get(key);
  if (g) {
    unlink(s, g);
  } else {
    if (s.groups.size >= maxGroups && s.head) {
      drop(s, s.head);
      s.counters.evicted++;
    }
    g = { key, values, last: t, entries: [] };
    s.groups.set(key, g);
  }
  append(s, g);
  g.last = Math.max(g.last, t);
  s.counters.peak_groups = Math.max(s.counters.peak_groups, s.groups.size);
  return g;
}
