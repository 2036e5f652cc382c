// One finding as the JSON line `scan` prints: written by the main thread, and by scan worker
// threads for the findings they make themselves, so both must be the same function.
import type { Finding } from '../model/alert.js';

/** One finding as one self-contained JSON line: rule, what matched, and the events. */
export function findingLine(f: Finding): string {
  const rule: Record<string, unknown> = { id: f.rule.id, title: f.rule.title, level: f.rule.level, kind: f.rule.kind, tags: f.rule.tags };
  if (f.rule.name) rule.name = f.rule.name;
  if (f.rule.file) rule.file = f.rule.file;
  const out: Record<string, unknown> = { '@timestamp': f.time, rule, kind: f.rule.kind };
  if (f.selections) out.selections = f.selections;
  if (f.group) out.group = f.group;
  if (f.details) out.details = f.details;
  // `events` is last: the rest is written, then each event's own text, which is made once per
  // event however many rules it matched (the same bytes JSON.stringify would write)
  const head = JSON.stringify(out);
  let events = '';
  for (let i = 0; i < f.events.length; i++) events += (i ? ',' : '') + eventJson(f.events[i]);
  return `${head.slice(0, -1)},"events":[${events}]}`;
}

// The findings of one event come one after another (one engine step), so remembering the last
// event's text is enough; a WeakMap kept every event alive into the old generation and cost GC.
let lastEvent: object | undefined;
let lastEventText = '';

/** The JSON text of an event that arrived as text (from a worker thread): not written again. */
export function knownEventJson(ev: object, text: string): void {
  lastEvent = ev;
  lastEventText = text;
}

function eventJson(ev: unknown): string {
  if (typeof ev !== 'object' || ev === null) return JSON.stringify(ev) ?? 'null';
  if (ev !== lastEvent) {
    lastEventText = JSON.stringify(ev) ?? 'null';
    lastEvent = ev;
  }
  return lastEventText;
}
