// Builders for the model events analytics consume, shaped as the sources produce them: Docker
// lifecycle and stats metric events, audit process and connect events. Tests and the benchmark
// generate their traffic with these.
import type { StowawayEvent } from '../model/event.js';

export interface ContainerRef {
  id: string;
  name: string;
  image: string;
  host?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function containerOf(c: ContainerRef) {
  return { id: c.id, name: c.name, image: { name: c.image, tag: 'latest' }, runtime: 'docker' };
}

/** A Docker stats sample: network totals since the container started, CPU fraction, memory. */
export function statsEvent(c: ContainerRef, t: number, m: { txTotal: number; rxTotal?: number; cpu?: number; mem?: number }): StowawayEvent {
  return {
    '@timestamp': iso(t),
    event: { kind: 'metric', module: 'docker', dataset: 'docker.stats', category: ['host'], type: ['info'] },
    stowaway: { source: 'docker', logsource: { product: 'docker', category: 'container_stats', service: 'stats' } },
    host: { name: c.host ?? 'node-1' },
    container: {
      ...containerOf(c),
      network: { egress: { bytes: m.txTotal }, ingress: { bytes: m.rxTotal ?? 0 } },
      cpu: { usage: m.cpu ?? 0.05 },
      memory: { usage: m.mem ?? 0.2 },
    },
  };
}

export function lifecycleEvent(
  c: ContainerRef,
  t: number,
  verb: 'create' | 'start' | 'die' | 'destroy',
  extra: { autoRemove?: boolean; lifetimeS?: number } = {},
): StowawayEvent {
  return {
    '@timestamp': iso(t),
    event: { kind: 'event', module: 'docker', dataset: 'docker.events', action: `container-${verb}` },
    stowaway: { source: 'docker', logsource: { product: 'docker', category: 'container', service: 'events' } },
    host: { name: c.host ?? 'node-1' },
    container: {
      ...containerOf(c),
      ...(extra.autoRemove !== undefined && { auto_remove: extra.autoRemove }),
      ...(extra.lifetimeS !== undefined && { lifetime_s: extra.lifetimeS }),
    },
  };
}

export function execEvent(c: ContainerRef, t: number, executable: string, args: string[] = []): StowawayEvent {
  const name = executable.slice(executable.lastIndexOf('/') + 1);
  return {
    '@timestamp': iso(t),
    event: { kind: 'event', module: 'auditd', dataset: 'auditd.log', action: 'execve', category: ['process'], type: ['start'] },
    stowaway: { source: 'auditd', logsource: { product: 'linux', category: 'process_creation', service: 'auditd' } },
    host: { name: c.host ?? 'node-1' },
    container: containerOf(c),
    process: { executable, name, args: [name, ...args], command_line: [name, ...args].join(' '), pid: 4242 },
  };
}

export function connectEvent(c: ContainerRef, t: number, ip: string, port: number): StowawayEvent {
  return {
    '@timestamp': iso(t),
    event: { kind: 'event', module: 'auditd', dataset: 'auditd.log', action: 'connect', category: ['network'], type: ['connection'] },
    stowaway: { source: 'auditd', logsource: { product: 'linux', category: 'network_connection', service: 'auditd' } },
    host: { name: c.host ?? 'node-1' },
    container: containerOf(c),
    destination: { ip, port },
    network: { transport: 'tcp', direction: 'outbound' },
  };
}

/** Deterministic jitter in [-1, 1) so replays are identical. */
export function jitter(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}
