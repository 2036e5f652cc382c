// Containment of a Docker container: take it off every network (remembering what it was on),
// put it back, pause, stop. Each returns what it did and how to undo it, and checks the
// engine's own state afterwards instead of trusting the API call.
import type Docker from 'dockerode';

/** One network a container was on, as isolate found it and restore needs it. */
export interface NetworkAttachment {
  name: string;
  id: string;
  ipv4?: string;
  aliases?: string[];
}

export interface ActionOutcome {
  detail: string;
  undo?: string;
  data?: Record<string, unknown>;
}

interface InspectNetworks {
  Id: string;
  Name: string;
  HostConfig?: { NetworkMode?: string };
  State?: { Status?: string; Running?: boolean; Paused?: boolean };
  NetworkSettings?: {
    Networks?: Record<string, { NetworkID?: string; IPAddress?: string; Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string } | null }>;
  };
}

/** The networks a container is attached to, from its inspect document. */
export function attachments(inspect: InspectNetworks): NetworkAttachment[] {
  return Object.entries(inspect.NetworkSettings?.Networks ?? {})
    .filter(([name]) => name !== 'none')
    .map(([name, n]) => {
      const a: NetworkAttachment = { name, id: n.NetworkID ?? '' };
      // Only an address the user pinned is worth asking for again; Docker picks a fresh one otherwise.
      if (n.IPAMConfig?.IPv4Address) a.ipv4 = n.IPAMConfig.IPv4Address;
      // Docker adds the short id itself on reconnect.
      const aliases = (n.Aliases ?? []).filter((x) => x !== inspect.Id.slice(0, 12));
      if (aliases.length) a.aliases = aliases;
      return a;
    });
}

export async function inspectContainer(
  docker: Docker,
  id: string,
): Promise<InspectNetworks & { Config?: { Image?: string; Labels?: Record<string, string> | null } }> {
  return await docker.getContainer(id).inspect();
}

/** Whether a network mode shares another namespace a disconnect cannot take away. */
export function sharedNetworkMode(mode: string | undefined): string | undefined {
  if (mode === 'host') return 'it shares the host network namespace, which cannot be disconnected; pause or stop it instead';
  if (mode?.startsWith('container:')) return `it shares the network namespace of ${mode.slice(10, 22)}; isolate that container, or pause or stop this one`;
  return undefined;
}

export async function isolate(docker: Docker, id: string): Promise<ActionOutcome> {
  const t0 = Date.now();
  const before = await inspectContainer(docker, id);
  const shared = sharedNetworkMode(before.HostConfig?.NetworkMode);
  if (shared) throw new Error(`cannot isolate ${before.Name.replace(/^\//, '')}: ${shared}`);
  const removed = attachments(before);
  const errors: string[] = [];
  for (const n of removed) {
    try {
      await docker.getNetwork(n.id || n.name).disconnect({ Container: before.Id, Force: true });
    } catch (e) {
      errors.push(`${n.name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const after = await inspectContainer(docker, id);
  const left = attachments(after);
  const isolatedMs = Date.now() - t0;
  if (left.length)
    throw new Error(`still attached to ${left.map((n) => n.name).join(', ')} after disconnecting${errors.length ? ` (${errors.join('; ')})` : ''}`);
  return {
    detail: removed.length
      ? `disconnected from ${removed.map((n) => n.name).join(', ')}; the engine reports no network attached`
      : 'was attached to no network; nothing to disconnect',
    undo: `stowaway respond <alert-id> restore  (reconnects ${removed.map((n) => n.name).join(', ') || 'nothing'})`,
    data: { networks: removed, isolated_ms: isolatedMs },
  };
}

export async function restore(docker: Docker, id: string, networks: NetworkAttachment[]): Promise<ActionOutcome> {
  const now = attachments(await inspectContainer(docker, id));
  const done: string[] = [];
  const errors: string[] = [];
  for (const n of networks) {
    if (now.some((x) => x.id === n.id || x.name === n.name)) continue;
    try {
      await docker.getNetwork(n.id || n.name).connect({
        Container: id,
        EndpointConfig: { ...(n.aliases ? { Aliases: n.aliases } : {}), ...(n.ipv4 ? { IPAMConfig: { IPv4Address: n.ipv4 } } : {}) },
      });
      done.push(n.name);
    } catch (e) {
      errors.push(`${n.name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const after = attachments(await inspectContainer(docker, id)).map((n) => n.name);
  const missing = networks.filter((n) => !after.includes(n.name)).map((n) => n.name);
  if (missing.length) throw new Error(`not reattached to ${missing.join(', ')}${errors.length ? `: ${errors.join('; ')}` : ''}`);
  return {
    detail: `reconnected to ${networks.map((n) => n.name).join(', ') || 'nothing (it had no network)'}`,
    undo: 'stowaway respond <alert-id> isolate',
    data: { networks: after },
  };
}

async function stateOf(docker: Docker, id: string): Promise<string> {
  return (await inspectContainer(docker, id)).State?.Status ?? 'unknown';
}

export async function pause(docker: Docker, id: string): Promise<ActionOutcome> {
  await docker.getContainer(id).pause();
  const st = await stateOf(docker, id);
  if (st !== 'paused') throw new Error(`engine reports state '${st}' after pause`);
  return { detail: 'paused (every process frozen); engine state: paused', undo: 'stowaway respond <alert-id> unpause', data: { state: st } };
}

export async function unpause(docker: Docker, id: string): Promise<ActionOutcome> {
  await docker.getContainer(id).unpause();
  const st = await stateOf(docker, id);
  if (st !== 'running') throw new Error(`engine reports state '${st}' after unpause`);
  return { detail: 'unpaused; engine state: running', data: { state: st } };
}

export async function stop(docker: Docker, id: string, graceS = 10): Promise<ActionOutcome> {
  const c = docker.getContainer(id);
  // A paused container cannot take SIGTERM; kill is the only way down.
  if ((await stateOf(docker, id)) === 'paused') await c.kill();
  else
    await c.stop({ t: graceS }).catch((err: unknown) => {
      const e = err as { statusCode?: number };
      if (e.statusCode !== 304) throw err instanceof Error ? err : new Error(String(e.statusCode)); // 304: already stopped
    });
  const st = await stateOf(docker, id).catch(() => 'removed');
  if (st !== 'exited' && st !== 'removed' && st !== 'dead') throw new Error(`engine reports state '${st}' after stop`);
  return { detail: `stopped; engine state: ${st}`, undo: `docker start ${id.slice(0, 12)}`, data: { state: st } };
}
