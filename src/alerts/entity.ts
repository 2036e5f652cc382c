// Who or what an alert is about, read from its triggering events.
import type { AlertEntity, Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';

/** The first non-empty value `pick` finds across the events, in order. */
export function firstDefined<T>(events: readonly StowawayEvent[], pick: (e: StowawayEvent) => T | undefined): T | undefined {
  for (const e of events) {
    const v = pick(e);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** `name:tag`, unless the name already carries a tag or digest. */
export function imageName(e: StowawayEvent): string | undefined {
  const img = e.container?.image;
  if (!img?.name) return undefined;
  if (!img.tag || img.name.includes('@') || /:[^/]+$/.test(img.name)) return img.name;
  return `${img.name}:${img.tag}`;
}

function podName(e: StowawayEvent): string | undefined {
  const o = e.orchestrator;
  if (!o) return undefined;
  if (o.pod?.name) return o.pod.name;
  if (o.resource?.type === 'pods' && o.resource.name) return o.resource.name;
  return undefined;
}

/**
 * The object a Kubernetes request changed when it is not a pod: two privileged Deployments in one
 * namespace are two incidents, not one.
 */
function workloadName(e: StowawayEvent): string | undefined {
  const r = e.orchestrator?.resource;
  return r?.type && r.type !== 'pods' && r.name ? `${r.type}/${r.name}` : undefined;
}

/** Events carry partial knowledge each; the entity takes the first value any of them knows. */
export function entityOf(events: readonly StowawayEvent[]): AlertEntity {
  const entity: AlertEntity = {};
  const host = firstDefined(events, (e) => e.host?.name ?? e.host?.hostname);
  if (host) entity.host = host;

  const cid = firstDefined(events, (e) => e.container?.id);
  const cname = firstDefined(events, (e) => e.container?.name);
  const image = firstDefined(events, imageName);
  if (cid || cname || image) {
    entity.container = {};
    if (cid) entity.container.id = cid;
    if (cname) entity.container.name = cname;
    if (image) entity.container.image = image;
  }

  const ns = firstDefined(events, (e) => e.orchestrator?.namespace);
  const pod = firstDefined(events, podName);
  const workload = pod ? undefined : firstDefined(events, workloadName);
  const podImages = firstDefined(events, (e) => (e.orchestrator?.pod?.images?.length ? e.orchestrator.pod.images : undefined));
  if (ns || pod || workload) {
    entity.pod = {};
    if (ns) entity.pod.namespace = ns;
    if (pod) entity.pod.name = pod;
    if (workload) entity.pod.workload = workload;
    if (podImages) entity.pod.images = [...podImages];
  }

  const pid = firstDefined(events, (e) => e.process?.pid);
  const exe = firstDefined(events, (e) => e.process?.executable);
  const cmd = firstDefined(events, (e) => e.process?.command_line ?? (e.process?.args ? e.process.args.join(' ') : undefined));
  if (pid !== undefined || exe || cmd) {
    entity.process = {};
    if (pid !== undefined) entity.process.pid = pid;
    if (exe) entity.process.executable = exe;
    if (cmd) entity.process.command_line = cmd;
  }

  const user = firstDefined(events, (e) => e.user?.name ?? e.process?.user?.name ?? e.orchestrator?.user?.name);
  if (user) entity.user = user;
  return entity;
}

/**
 * The dedup identity: the same rule hitting the same container (or pod, or host process)
 * is one incident. Process ids are left out on purpose — a shell spawning a hundred
 * children is still one story. Correlation group-by values are part of the identity.
 */
export function entityKey(entity: AlertEntity, group?: Finding['group']): string {
  const parts: string[] = [`h=${entity.host ?? ''}`];
  if (entity.container) parts.push(`c=${entity.container.id ?? entity.container.name ?? entity.container.image ?? ''}`);
  if (entity.pod) parts.push(`p=${entity.pod.namespace ?? ''}/${entity.pod.name ?? ''}${entity.pod.workload ? `/${entity.pod.workload}` : ''}`);
  if (!entity.container && !entity.pod) {
    parts.push(`x=${entity.process?.executable ?? ''}`, `u=${entity.user ?? ''}`);
  }
  if (group) {
    for (const k of Object.keys(group).sort()) parts.push(`g.${k}=${JSON.stringify(group[k])}`);
  }
  return parts.join('|');
}
