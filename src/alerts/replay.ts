// Replays the shipped scenarios through the real engine and alert pipeline: what `demo`
// runs so a newcomer sees a populated page without any live telemetry.
import { existsSync, readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { StowawayEvent } from '../model/event.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import { readEventFile } from '../sources/files.js';
import { DockerContext } from '../sources/docker/normalize.js';
import type { Content } from './runtime.js';
import type { AlertPipeline } from './pipeline.js';

export interface Scenario {
  strategy: string;
  name: string;
  files: string[];
  inspect?: string;
}

export interface ReplayReport {
  scenarios: number;
  files: number;
  events: number;
  findings: number;
  alerts: number;
  diagnostics: Diagnostic[];
  perScenario: { strategy: string; name: string; events: number; findings: number; alerts: number }[];
}

/** Telemetry files before audit logs: container metadata must be known when process events attribute. */
const ORDER = ['.docker-events.', '.k8s-audit.', '.sysmon.', '.powershell.', '.audit.'];
const rank = (f: string): number => {
  const i = ORDER.findIndex((o) => f.includes(o));
  return i < 0 ? ORDER.length : i;
};

export function findScenarios(contentDir: string): Scenario[] {
  const out: Scenario[] = [];
  const root = join(contentDir, 'strategies');
  if (!existsSync(root)) return out;
  for (const strategy of readdirSync(root).sort()) {
    const dir = join(root, strategy, 'scenarios');
    if (!existsSync(dir)) continue;
    const groups = new Map<string, Scenario>();
    for (const f of readdirSync(dir).sort()) {
      if (f.startsWith('.') || f.endsWith('.md') || f.endsWith('.yml') || f.endsWith('.yaml')) continue;
      const name = f.split('.')[0]!;
      let g = groups.get(name);
      if (!g) groups.set(name, (g = { strategy, name, files: [] }));
      if (f.endsWith('.inspect.json')) g.inspect = join(dir, f);
      else g.files.push(join(dir, f));
    }
    for (const g of groups.values()) {
      g.files.sort((a, b) => rank(basename(a)) - rank(basename(b)) || a.localeCompare(b));
      if (g.files.length) out.push(g);
    }
  }
  return out;
}

export async function replayScenarios(
  content: Content,
  pipeline: AlertPipeline,
  opts: { onScenario?: (s: Scenario, r: ReplayReport['perScenario'][number]) => void; scenarios?: Scenario[] } = {},
): Promise<ReplayReport> {
  const scenarios = opts.scenarios ?? findScenarios(content.contentDir);
  const report: ReplayReport = { scenarios: 0, files: 0, events: 0, findings: 0, alerts: 0, diagnostics: [], perScenario: [] };
  for (const s of scenarios) {
    const docker = new DockerContext();
    const events: StowawayEvent[] = [];
    for (const f of s.files) {
      report.files++;
      for await (const r of readEventFile(f, { docker, inspect: s.inspect })) {
        if ('event' in r) {
          // A parser that forgot its bookkeeping must not stop the replay; the origin still says where it came from.
          r.event.stowaway ??= { source: 'unknown', logsource: {}, origin: f };
          r.event.stowaway.replay = true;
          events.push(r.event);
        } else report.diagnostics.push(r.diagnostic);
      }
    }
    // Event time decides windows; files of one scenario interleave in time.
    events.sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
    const engine = content.engine();
    const findings: Finding[] = [];
    for (const e of events) findings.push(...engine.process(e));
    findings.push(...engine.flush());
    const res = pipeline.process(findings);
    const one = { strategy: s.strategy, name: s.name, events: events.length, findings: findings.length, alerts: res.created.length };
    report.scenarios++;
    report.events += events.length;
    report.findings += findings.length;
    report.alerts += res.created.length;
    report.perScenario.push(one);
    opts.onScenario?.(s, one);
  }
  return report;
}
