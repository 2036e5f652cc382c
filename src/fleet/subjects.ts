// Names the fleet agrees on: streams, subjects, buckets, and which partition an event belongs to.
// Sensors and workers compute the same partition from the same event, so all events of one
// host land on one worker, where its correlations and baselines live.
import { createHash } from 'node:crypto';
import type { StowawayEvent } from '../model/event.js';

export const EVENTS_STREAM = 'STOWAWAY_EVENTS';
export const ALERTS_STREAM = 'STOWAWAY_ALERTS';
export const DLQ_STREAM = 'STOWAWAY_DLQ';
export const LEASES_BUCKET = 'stowaway-leases';
export const CHECKPOINTS_BUCKET = 'stowaway-checkpoints';
export const DEFAULT_PARTITIONS = 8;

/** A subject token: NATS tokens cannot hold dots, spaces or wildcards. */
export function token(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_-]/g, '_');
  return t === '' ? '_' : t;
}

export const eventSubject = (partition: number, host: string, source: string): string => `stowaway.events.p${partition}.${token(host)}.${token(source)}`;
export const partitionFilter = (partition: number): string => `stowaway.events.p${partition}.>`;
/** End of input for a partition: the worker closes every window, as a replay's flush does. */
export const endSubject = (partition: number): string => `stowaway.events.p${partition}._.end`;
export const findingSubject = (level: string): string => `stowaway.findings.${token(level)}`;
export const dlqSubject = (reason: string): string => `stowaway.dlq.${token(reason)}`;

/**
 * The entity whose events must meet on one worker. The host comes first: a container's Docker
 * events and its processes' audit records share it, and correlations group by container within
 * a host. Events without a host (a Kubernetes API server's audit) fall back to the pod (namespace/name),
 * then the container, then the namespace.
 */
export function partitionKey(ev: StowawayEvent): string {
  const o = ev.orchestrator;
  return (
    ev.host?.name ??
    ev.host?.hostname ??
    (o?.pod?.name !== undefined ? `pod:${o.namespace ?? ''}/${o.pod.name}` : undefined) ??
    ev.container?.id ??
    (o?.namespace !== undefined ? `ns:${o.namespace}` : '')
  );
}

/** FNV-1a: stable across processes and versions, unlike anything seeded. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
