// Findings built by hand, for tests of the alert path and for benchmarks.
import type { Finding, RuleMeta } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';

export function ruleMeta(over: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id: 'b1f0a6c2-0000-4000-8000-000000000001',
    title: 'Privileged container created',
    kind: 'sigma',
    level: 'high',
    tags: ['attack.privilege-escalation', 'attack.t1611'],
    ...over,
  };
}

export function containerEvent(
  over: {
    time?: string;
    host?: string;
    id?: string;
    name?: string;
    image?: string;
    tag?: string;
    ns?: string;
    pod?: string;
    labels?: Record<string, string>;
  } = {},
): StowawayEvent {
  const e: StowawayEvent = {
    '@timestamp': over.time ?? '2026-11-22T10:00:00.000Z',
    event: { kind: 'event', category: ['configuration'], type: ['creation'], action: 'container-create', module: 'docker', dataset: 'docker.events' },
    stowaway: { source: 'docker', logsource: { product: 'docker', category: 'container_lifecycle' } },
    host: { name: over.host ?? 'h1' },
    container: {
      id: over.id ?? '3f2a9c0d1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5',
      name: over.name ?? 'web-1',
      image: { name: over.image ?? 'busybox', tag: over.tag ?? 'latest' },
      privileged: true,
      labels: over.labels ?? {},
    },
    process: { pid: 4242, executable: '/bin/sh', command_line: 'sh -c sleep 3600', user: { name: 'root' } },
  };
  if (over.ns || over.pod) e.orchestrator = { type: 'kubernetes', namespace: over.ns, pod: { name: over.pod } };
  return e;
}

export function finding(
  over: { rule?: Partial<RuleMeta>; time?: string; events?: StowawayEvent[]; selections?: string[]; group?: Record<string, unknown> } & Parameters<
    typeof containerEvent
  >[0] = {},
): Finding {
  const time = over.time ?? '2026-11-22T10:00:00.000Z';
  const f: Finding = {
    rule: ruleMeta(over.rule),
    time,
    events: over.events ?? [containerEvent({ ...over, time })],
    selections: over.selections ?? ['selection'],
  };
  if (over.group) f.group = over.group;
  return f;
}
