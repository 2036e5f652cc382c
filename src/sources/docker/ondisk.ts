// A just-created container's configuration as the daemon wrote it to its data root
// (containers/<id>/config.v2.json and hostconfig.json), shaped like the inspect document.
// Docker's inspect waits on the container's lock, which `start` holds for the whole start
// (network, runtime): asked right after `create`, inspect answers only once the container
// runs. The files are written before the create event is sent and hold the same configuration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isObj, str, type Obj } from '../util.js';

const CID = /^[0-9a-f]{64}$/;

/** `MountPoints` (keyed by destination) as the inspect document's `Mounts` list. */
function mountsFrom(points: unknown): Obj[] {
  if (!isObj(points)) return [];
  return Object.values(points)
    .filter(isObj)
    .map((m) => {
      const type = str(m.Type);
      const out: Obj = {
        Type: type,
        Source: str(m.Source) ?? '',
        Destination: str(m.Destination) ?? '',
        Mode: str(m.Relabel) ?? '',
        RW: m.RW === true,
        Propagation: str(m.Propagation) ?? '',
      };
      if (type === 'volume') {
        out.Name = str(m.Name) ?? '';
        out.Driver = str(m.Driver) ?? '';
      }
      return out;
    })
    .sort((a, b) => String(a.Destination).localeCompare(String(b.Destination)));
}

/** The inspect-shaped document from the two stored files; undefined when they are not a container's. */
export function inspectFromStored(config: unknown, hostConfig: unknown): Obj | undefined {
  if (!isObj(config) || !isObj(hostConfig) || !str(config.ID) || !isObj(config.Config)) return undefined;
  return {
    Id: config.ID,
    Created: config.Created,
    Path: config.Path,
    Args: config.Args,
    State: config.State,
    Image: config.Image,
    Name: config.Name,
    Driver: config.Driver,
    RestartCount: config.RestartCount,
    HostConfig: hostConfig,
    Mounts: mountsFrom(config.MountPoints),
    Config: config.Config,
  };
}

/**
 * Reads a container's stored configuration under the daemon's data root; undefined when it
 * cannot. Synchronous on purpose: two small local files, and the thread pool an async read
 * would queue on is shared with everything else (queued there, a read took 150 ms).
 */
export function readStoredInspect(rootDir: string, id: string): Obj | undefined {
  if (!CID.test(id)) return undefined;
  const dir = join(rootDir, 'containers', id);
  try {
    const config = readFileSync(join(dir, 'config.v2.json'), 'utf8');
    const host = readFileSync(join(dir, 'hostconfig.json'), 'utf8');
    return inspectFromStored(JSON.parse(config), JSON.parse(host));
  } catch {
    return undefined;
  }
}
