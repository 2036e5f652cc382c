// Finding → Alert: attach the detection strategy (or the rule's own ATT&CK tags),
// the entity it is about and the line an analyst reads first.
import { randomUUID } from 'node:crypto';
import type { Alert, AttackRef, Finding, StrategyRef } from '../model/alert.js';
import { attackFromTags } from './attack.js';
import { entityOf } from './entity.js';
import { summarize } from './summary.js';

/** What alert building needs from the ADS catalog (`src/ads`). */
export interface StrategyLookup {
  forRule(ruleId: string): { strategy: StrategyRef; attack: AttackRef[] } | undefined;
}

export interface BuildOptions {
  catalog?: StrategyLookup;
  /** Wall clock; tests pin it. */
  now?: () => Date;
  /** The alert's id; given the finding that opens it (fleet ids are derived from it). */
  newId?: (f: Finding) => string;
  /** Triggering events kept on the alert; a correlation over thousands keeps the newest. */
  maxEvents?: number;
}

export function buildAlert(finding: Finding, opts: BuildOptions = {}): Alert {
  const found = opts.catalog?.forRule(finding.rule.id);
  const attack = found && found.attack.length > 0 ? found.attack : attackFromTags(finding.rule.tags ?? []);
  const entity = entityOf(finding.events);
  const maxEvents = opts.maxEvents ?? 20;
  const events = finding.events.length > maxEvents ? finding.events.slice(-maxEvents) : finding.events;
  const times = finding.events
    .map((e) => e['@timestamp'])
    .filter((t): t is string => typeof t === 'string')
    .sort();
  const first = times[0] ?? finding.time;
  const alert: Alert = {
    id: opts.newId ? opts.newId(finding) : randomUUID(),
    '@timestamp': finding.time,
    created: (opts.now?.() ?? new Date()).toISOString(),
    rule: finding.rule,
    level: finding.rule.level,
    summary: summarize(finding.rule.title, entity, finding.events),
    attack,
    entity,
    selections: finding.selections ?? [],
    ...(finding.matched?.length ? { matched: finding.matched } : {}),
    events,
    count: 1,
    first_seen: first < finding.time ? first : finding.time,
    last_seen: finding.time,
    held_back: 0,
    status: 'new',
  };
  if (found) alert.strategy = found.strategy;
  if (finding.group) alert.group = finding.group;
  const details = { ...(finding.details ?? {}) };
  if (finding.events.length > events.length) details.events_total = finding.events.length;
  if (Object.keys(details).length > 0) alert.details = details;
  return alert;
}
