// How an alert becomes a row and a row an alert, and how an event is kept when it cannot be
// stored whole.
import type { Alert, AlertStatus } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import { LEVEL_N } from './query.js';
import type { AlertListItem } from './types.js';

/** Largest event document stored with an alert; the rest is cut, saying so. */
export const MAX_EVENT_JSON = 1024 * 1024;

/**
 * An event as stored JSON. One that cannot be serialized (a BigInt, a cycle) or is too large
 * is stored as what can be said of it, marked truncated, instead of failing its alert.
 */
export function eventJson(e: StowawayEvent): { text: string; truncated?: string } {
  let text: string | undefined;
  let why: string | undefined;
  try {
    text = JSON.stringify(e);
  } catch (err) {
    why = `not serializable: ${(err as Error).message}`;
  }
  if (text !== undefined && text.length <= MAX_EVENT_JSON) return { text };
  why ??= `${text!.length} bytes, over ${MAX_EVENT_JSON}`;
  const keep: Record<string, unknown> = { '@timestamp': typeof e['@timestamp'] === 'string' ? e['@timestamp'] : undefined, stowaway_truncated: why };
  for (const k of ['event', 'stowaway', 'host', 'container', 'orchestrator', 'process', 'user'] as const) {
    try {
      const part = JSON.stringify(e[k]);
      if (part !== undefined && part.length < MAX_EVENT_JSON / 8) keep[k] = JSON.parse(part) as unknown;
    } catch {
      /* that part is what could not be serialized */
    }
  }
  return { text: JSON.stringify(keep), truncated: why };
}

export function alertRowParams(a: Alert, rev: number): Record<string, unknown> {
  const { events: _events, ...doc } = a;
  return {
    id: a.id,
    ts: a['@timestamp'],
    created: a.created,
    first_seen: a.first_seen,
    last_seen: a.last_seen,
    rule_id: a.rule.id,
    rule_title: a.rule.title,
    rule_kind: a.rule.kind,
    level: a.level,
    level_n: LEVEL_N.get(a.level) ?? 0,
    strategy_id: a.strategy?.id ?? null,
    strategy_title: a.strategy?.title ?? null,
    host: a.entity.host ?? null,
    container_id: a.entity.container?.id ?? null,
    container_name: a.entity.container?.name ?? null,
    image: a.entity.container?.image ?? null,
    pod_namespace: a.entity.pod?.namespace ?? null,
    pod_name: a.entity.pod?.name ?? null,
    user_name: a.entity.user ?? null,
    pod_images: a.entity.pod?.images?.length ? a.entity.pod.images.join(' ') : null,
    summary: a.summary,
    status: a.status,
    note: a.note ?? null,
    count: a.count,
    held_back: a.held_back ?? 0,
    doc: JSON.stringify(doc),
    rev,
    techniques: a.attack.length ? `|${a.attack.map((t) => t.technique.toUpperCase()).join('|')}|` : '',
  };
}

export interface AlertRow {
  rowid?: number;
  level_n?: number;
  doc: string;
  status: AlertStatus;
  note: string | null;
  count: number;
  held_back: number;
  ts: string;
  first_seen: string;
  last_seen: string;
  rev: number;
}

export function fromRow(r: AlertRow): AlertListItem {
  const doc = JSON.parse(r.doc) as Omit<Alert, 'events'>;
  const out: AlertListItem = {
    ...doc,
    status: r.status,
    count: r.count,
    held_back: r.held_back,
    first_seen: r.first_seen,
    last_seen: r.last_seen,
    '@timestamp': r.ts,
    rev: r.rev,
  };
  if (r.note !== null) out.note = r.note;
  else delete out.note;
  return out;
}
