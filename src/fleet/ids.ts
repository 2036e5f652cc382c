// Deterministic ids: the same event always has the same identity and the same finding always
// the same id, so an event replayed after a worker died can never make a second alert.
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { sha } from './subjects.js';

/** The id a sensor gave the event (`event.id`), else a digest of the event itself. */
export function eventIdentity(ev: StowawayEvent): string {
  return ev.event?.id ?? sha(JSON.stringify(ev)).slice(0, 32);
}

/** Rule, group and member events: what makes a finding this finding and no other. */
export function findingId(f: Finding): string {
  const members = f.events.map(eventIdentity).join(',');
  return `f-${sha(`${f.rule.id}\u0000${JSON.stringify(f.group ?? null)}\u0000${f.time}\u0000${members}`).slice(0, 40)}`;
}
