// An independent witness: Docker's own event stream, filtered to emulation
// labels, tells us which container ids a scenario really created. Alerts are
// checked against this, not against stowaway's own attribution.
import type Docker from 'dockerode';
import { EMULATION_LABEL, SCENARIO_LABEL } from './cleanup.js';
import type { WitnessedContainer } from './match.js';
import { onStreamLines } from '../../sources/lines.js';

export interface Witness {
  containersOf(mark: string): WitnessedContainer[];
  stop(): void;
}

interface DockerEventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  from?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export async function startWitness(docker: Docker): Promise<Witness> {
  const byMark = new Map<string, Map<string, WitnessedContainer>>();
  const stream = (await docker.getEvents({
    filters: { type: ['container'], label: [`${EMULATION_LABEL}=1`] },
  })) as NodeJS.ReadableStream & { destroy?: () => void };
  onStreamLines(stream, (line) => {
    let msg: DockerEventMessage;
    try {
      msg = JSON.parse(line) as DockerEventMessage;
    } catch {
      return;
    }
    const attrs = msg.Actor?.Attributes ?? {};
    const mark = attrs[SCENARIO_LABEL];
    const id = msg.Actor?.ID ?? msg.id;
    if (!mark || !id) return;
    let m = byMark.get(mark);
    if (!m) byMark.set(mark, (m = new Map<string, WitnessedContainer>()));
    if (!m.has(id)) m.set(id, { id, name: attrs.name ?? '', image: attrs.image ?? msg.from ?? '' });
  });
  stream.on('error', () => {
    /* the runner reports missing witnesses per scenario */
  });
  return {
    containersOf: (mark) => [...(byMark.get(mark)?.values() ?? [])],
    stop: () => stream.destroy?.(),
  };
}
