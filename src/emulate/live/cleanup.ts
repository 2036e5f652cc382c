// Everything an emulation creates in Docker (containers, volumes, images, the run's network)
// carries the label `stowaway.emulation=1`; this sweep removes it whatever state it is in, so a
// run interrupted half-way leaves nothing that changes the next run's verdicts.
import Docker from 'dockerode';

export const EMULATION_LABEL = 'stowaway.emulation';
export const SCENARIO_LABEL = 'stowaway.emulation.scenario';
/** Every name an emulation gives (containers, volumes, work dirs) starts with this. */
export const EMULATION_PREFIX = 'stowaway-emu-';

export interface SweepResult {
  containers: number;
  volumes: number;
  images: number;
  networks: number;
  errors: string[];
}

export async function sweepLabeled(docker: Docker, scenarioMark?: string): Promise<SweepResult> {
  const label = scenarioMark ? [`${SCENARIO_LABEL}=${scenarioMark}`] : [`${EMULATION_LABEL}=1`];
  const result: SweepResult = { containers: 0, volumes: 0, images: 0, networks: 0, errors: [] };
  try {
    const list = await docker.listContainers({ all: true, filters: { label } });
    for (const c of list) {
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
        result.containers++;
      } catch (e) {
        // A --rm container may vanish between list and remove: that is the goal anyway.
        const msg = e instanceof Error ? e.message : String(e);
        if (!/no such container|is already in progress/i.test(msg)) result.errors.push(`container ${c.Id.slice(0, 12)}: ${msg}`);
      }
    }
  } catch (e) {
    result.errors.push(`listing containers: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    // Volumes a `--mount volume-opt=...` creates implicitly carry no labels; they are found by name.
    const byLabel = (await docker.listVolumes({ filters: { label } })).Volumes ?? [];
    const byName = ((await docker.listVolumes({ filters: { name: [scenarioMark ?? EMULATION_PREFIX] } })).Volumes ?? []).filter((v) =>
      v.Name.startsWith(scenarioMark ?? EMULATION_PREFIX),
    );
    const seen = new Set<string>();
    for (const v of [...byLabel, ...byName]) {
      if (seen.has(v.Name)) continue;
      seen.add(v.Name);
      try {
        await docker.getVolume(v.Name).remove();
        result.volumes++;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (!/no such volume/i.test(msg)) result.errors.push(`volume ${v.Name}: ${msg}`);
      }
    }
  } catch (e) {
    result.errors.push(`listing volumes: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    // Images a scenario builds (an "unapproved registry" name) carry the labels too.
    for (const img of await docker.listImages({ filters: { label } })) {
      try {
        await docker.getImage(img.Id).remove({ force: true });
        result.images++;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (!/no such image/i.test(msg)) result.errors.push(`image ${img.Id.slice(7, 19)}: ${msg}`);
      }
    }
  } catch (e) {
    result.errors.push(`listing images: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    // After the containers: Docker refuses to remove a network a container is still attached to.
    for (const n of await docker.listNetworks({ filters: { label } })) {
      try {
        await docker.getNetwork(n.Id).remove();
        result.networks++;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (!/no such network|not found/i.test(msg)) result.errors.push(`network ${n.Name}: ${msg}`);
      }
    }
  } catch (e) {
    result.errors.push(`listing networks: ${e instanceof Error ? e.message : String(e)}`);
  }
  return result;
}
