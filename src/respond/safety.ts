// What must never be acted on, and how fast automatic actions may go.
import { readFileSync } from 'node:fs';
import type { Protected } from './policy.js';

/** The container ids this process runs in, if any (cgroup v1/v2 paths and the mount table name them). */
export function selfContainerIds(read: (p: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const ids = new Set<string>();
  for (const f of ['/proc/self/cgroup', '/proc/self/mountinfo']) {
    let text = '';
    try {
      text = read(f);
    } catch {
      continue;
    }
    // docker-<id>.scope, /docker/<id>, /containers/<id>/hostname ...
    for (const m of text.matchAll(/(?:docker[-/]|containers\/|cri-containerd-|crio-)([0-9a-f]{64})/g)) ids.add(m[1]!);
  }
  return [...ids];
}

/** What the safety check needs of a container, from `docker inspect`. */
export interface ContainerFacts {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
}

/** Why a container must not be touched, or undefined when it may be. */
export function protectedReason(c: ContainerFacts, protect: Protected, selfIds: string[]): string | undefined {
  if (selfIds.some((s) => s === c.id)) return `container ${c.name} is stowaway itself`;
  if (protect.names.includes(c.name)) return `container ${c.name} is protected by name (policy protect.names)`;
  const img = protect.images.find((p) => c.image.startsWith(p));
  if (img) return `image ${c.image} is protected (policy protect.images: ${img})`;
  for (const l of protect.labels) {
    const [k, ...rest] = l.split('=');
    const v = rest.join('=');
    if (k && k in c.labels && (rest.length === 0 || c.labels[k] === v)) return `label ${l} is protected (policy protect.labels)`;
  }
  return undefined;
}

/**
 * The alert names a container by id (full or the 12-character short form); the one found
 * must be that very container. A name alone is never enough: names are reused.
 */
export function sameContainer(alertId: string | undefined, found: { Id: string }): string | undefined {
  if (!alertId) return 'the alert names no container id';
  if (alertId.length < 12) return `the alert's container id '${alertId}' is too short to identify one container`;
  if (!found.Id.startsWith(alertId)) return `container ${found.Id.slice(0, 12)} no longer matches the alert's container ${alertId.slice(0, 12)}`;
  return undefined;
}

/** A sliding-window limiter for automatic actions (wall clock: it protects the real world, not event time). */
export function createRateLimit(count: number, windowS: number, now: () => number = Date.now): { take(): boolean; used(): number } {
  const stamps: number[] = [];
  const prune = (t: number): void => {
    while (stamps.length && t - stamps[0]! >= windowS * 1000) stamps.shift();
  };
  return {
    take() {
      const t = now();
      prune(t);
      if (stamps.length >= count) return false;
      stamps.push(t);
      return true;
    },
    used() {
      prune(now());
      return stamps.length;
    },
  };
}
