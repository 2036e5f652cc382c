// The one line an analyst reads first: what happened and where.
import type { AlertEntity } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';

export function shortId(id: string): string {
  const bare = id.replace(/^[a-z0-9]+:\/\//, '').replace(/^sha256:/, '');
  return bare.length > 12 ? `${bare.slice(0, 12)}…` : bare;
}

function containerPhrase(c: NonNullable<AlertEntity['container']>, metadataNote?: string): string {
  const inner = [c.image, c.id && shortId(c.id)].filter(Boolean).join(', ');
  const head = c.name ?? (c.id ? `container ${shortId(c.id)}` : `container of ${c.image}`);
  const detail = c.name && inner ? ` (${inner})` : !c.name && c.id && c.image ? ` (${c.image})` : '';
  return `${head}${detail}${metadataNote ? ` [${metadataNote}]` : ''}`;
}

/** Says why container details are blank rather than leaving a silent gap. */
function metadataNote(events: readonly StowawayEvent[]): string | undefined {
  for (const e of events) {
    const c = e.container;
    if (c && c.metadata && c.metadata !== 'complete') return `container metadata ${c.metadata}${c.metadata_reason ? `: ${c.metadata_reason}` : ''}`;
  }
  return undefined;
}

/** `Privileged container created: web-1 (busybox:latest, 3f2a…) on host h1` */
export function summarize(title: string, entity: AlertEntity, events: readonly StowawayEvent[] = []): string {
  const where: string[] = [];
  if (entity.container) where.push(containerPhrase(entity.container, metadataNote(events)));
  if (entity.pod?.name) where.push(`${where.length ? 'in ' : ''}pod ${entity.pod.namespace ? `${entity.pod.namespace}/` : ''}${entity.pod.name}`);
  else if (entity.pod?.workload)
    where.push(`${where.length ? 'in ' : ''}${entity.pod.workload.replace('/', ' ')}${entity.pod.namespace ? ` in namespace ${entity.pod.namespace}` : ''}`);
  else if (entity.pod?.namespace) where.push(`${where.length ? 'in ' : ''}namespace ${entity.pod.namespace}`);
  // a Kubernetes request is someone's decision: say whose
  if (entity.pod && entity.user && events.some((e) => e.stowaway?.source === 'k8s-audit')) where.push(`by ${entity.user}`);
  if (!entity.container && !entity.pod && entity.process?.executable) {
    where.push(`${entity.process.executable}${entity.user ? ` as ${entity.user}` : ''}`);
  }
  if (entity.host) where.push(`on host ${entity.host}`);
  else if (where.length === 0) {
    const src = events[0]?.stowaway?.source;
    const flow = flowOf(events);
    where.push(flow ? `${flow}${src ? ` (source ${src})` : ''}` : `on an unknown host${src ? ` (source ${src})` : ''}`);
  }
  return `${title}: ${where.join(' ')}`;
}

/** Network-only telemetry (Zeek) knows endpoints, not hosts: name the flow instead. */
function flowOf(events: readonly StowawayEvent[]): string | undefined {
  for (const e of events) {
    const from = e.source?.ip ?? e.source?.address;
    const to = e.destination?.ip ?? e.destination?.domain ?? e.destination?.address;
    if (from || to) return `${from ?? '?'} → ${to ?? '?'}${e.destination?.port !== undefined ? `:${e.destination.port}` : ''}`;
  }
  return undefined;
}
