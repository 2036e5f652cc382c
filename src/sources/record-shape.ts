// Records whose member names come from the input (Sysmon EventData names, the keys of a flat
// JSON record) were built member by member with computed keys, and V8 makes each such store a
// generic lookup plus a map transition: about a microsecond for a Sysmon record's 23 fields,
// more than JSON.parse of the whole line. A source writes the same names in the same order
// record after record, so for each list of names one function is compiled, once, that returns a
// single object literal, which V8 creates from its boilerplate in one step.
//
// The names reach the function's source only as JSON string literals (JSON.stringify), which are
// always valid JavaScript string literals: input text never becomes code. Values are never in
// the source; they are read from the array given at each call.

/** Builds `{ [names[0]]: values[0], … }` in the order of names. */
export type RecordMaker = (values: readonly string[]) => Record<string, string>;

// Distinct shapes a process compiles at most; past it (an input with ever-changing names)
// records are built the plain way, so memory stays bounded whatever the input.
const MAX_SHAPES = 256;
// Past this many members a literal gains nothing (V8 keeps such objects as dictionaries anyway).
const MAX_MEMBERS = 200;
const makers = new Map<string, RecordMaker>();

/**
 * The maker for one list of names: exactly what assigning `o[names[i]] = values[i]` in order to
 * a fresh `{}` gives (same members, same order, a repeated name keeps its first place and its
 * last value), except that `__proto__` is never a member (assigning a string to it does nothing).
 */
export function recordMaker(names: readonly string[]): RecordMaker {
  const key = JSON.stringify(names);
  const known = makers.get(key);
  if (known) return known;
  const own = names.slice();
  if (makers.size >= MAX_SHAPES || own.length > MAX_MEMBERS) return (values) => plainRecord(own, values);
  const members: string[] = [];
  for (let i = 0; i < own.length; i++) if (own[i] !== '__proto__') members.push(`${JSON.stringify(own[i])}: v[${i}]`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- names are JSON string literals, never code (see above)
  const compile = new Function(`"use strict"; return function make(v) { return { ${members.join(', ')} }; };`) as () => RecordMaker;
  const make = compile();
  makers.set(key, make);
  return make;
}

/** The plain way: one assignment per member. */
export function plainRecord(names: readonly string[], values: readonly string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    if (k !== '__proto__') o[k] = values[i]!;
  }
  return o;
}
