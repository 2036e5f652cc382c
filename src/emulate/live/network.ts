// The run's own bridge network. Scenarios that talk to the runner's fixtures
// join it instead of the host's network namespace: with `--network host` the
// host-namespace detection fired in every such scenario and blurred what each
// one proves. A user-defined bridge needs neither the default bridge nor
// Docker's iptables rules (a container reaches the bridge's gateway address,
// which is an address of this host), so it works on a daemon started with
// `--iptables=false --bridge=none` as well as on a stock one.
import type Docker from 'dockerode';
import { EMULATION_LABEL, EMULATION_PREFIX } from './cleanup.js';

/** Label naming the run a network belongs to (the sweep removes it by EMULATION_LABEL). */
export const RUN_LABEL = 'stowaway.emulation.run';

export interface RunNetwork {
  name: string;
  id: string;
  /** IPv4 subnet Docker allocated, e.g. 172.18.0.0/16. */
  subnet: string;
  /** The bridge's address on this host: the fixtures listen here and only here. */
  gateway: string;
}

export function runNetworkName(runId: string): string {
  return `${EMULATION_PREFIX}net-${runId}`;
}

interface IpamConfig {
  Subnet?: string;
  Gateway?: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The IPv4 subnet and gateway of a network's IPAM configuration, if it has them. */
export function ipv4Of(configs: IpamConfig[] | null | undefined): { subnet: string; gateway: string } | undefined {
  for (const c of configs ?? []) {
    const gateway = (c.Gateway ?? '').split('/')[0] ?? '';
    if (c.Subnet && IPV4.test(gateway)) return { subnet: c.Subnet, gateway };
  }
  return undefined;
}

/**
 * Creates the run's bridge network, labeled like everything else a run creates.
 * Throws with Docker's own reason when the daemon cannot make one.
 */
export async function createRunNetwork(docker: Docker, runId: string): Promise<RunNetwork> {
  const name = runNetworkName(runId);
  const net = await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [EMULATION_LABEL]: '1', [RUN_LABEL]: runId },
  });
  const info = (await net.inspect()) as { Id: string; IPAM?: { Config?: IpamConfig[] } };
  const v4 = ipv4Of(info.IPAM?.Config);
  if (!v4) {
    await net.remove().catch(() => {});
    throw new Error(`Docker gave network ${name} no IPv4 gateway address (IPAM: ${JSON.stringify(info.IPAM?.Config ?? [])})`);
  }
  return { name, id: info.Id, ...v4 };
}

/** Removes the run's network; a network already gone is not an error. */
export async function removeRunNetwork(docker: Docker, net: RunNetwork): Promise<string | undefined> {
  try {
    await docker.getNetwork(net.id).remove();
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return /no such network|not found/i.test(msg) ? undefined : `network ${net.name}: ${msg}`;
  }
}
