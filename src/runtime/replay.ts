// Replay: recorded scenario telemetry through a fresh engine, the one way every command
// replays (`demo` into the alert pipeline, `validate` into its judge).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { StowawayEvent } from '../model/event.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import { readEventFile } from '../sources/files.js';
import { DockerContext } from '../sources/docker/normalize.js';
import { loadScenarios, type Scenario } from '../ads/scenario.js';
import type { Content } from './content.js';
import type { AlertPipeline } from '../alerts/pipeline.js';

/** What replay needs of an engine: events in, findings out, the rest at the end. */
export interface ReplayEngine {
  process(e: StowawayEvent): Finding[];
  flush(): Finding[];
}

/**
 * The host a replayed recording happened on. Live readers stamp the machine they run on; a file
 * says nothing of it (Docker events, audit logs and Kubernetes audit lines carry no host name), so
 * replayed alerts would all read "host unknown" and merge across unrelated recordings. Each
 * scenario is its own host, named so nobody mistakes it for this machine.
 */
export function replayHost(s: Pick<Scenario, 'name'>): string {
  return `replay-${s.name}`;
}

/** Reads every input of a scenario into one time-ordered event list, each marked as replayed. */
export async function readScenarioEvents(s: Scenario): Promise<{ events: StowawayEvent[]; diagnostics: Diagnostic[] }> {
  const events: StowawayEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  // One Docker context per scenario: inspect documents from any input enrich every file,
  // so audit processes are attributed to the containers the docker events describe.
  const docker = new DockerContext();
  for (const inp of s.inputs) {
    try {
      await access(inp.file);
    } catch {
      diagnostics.push({ severity: 'error', code: 'scenario-input-missing', message: `telemetry file not found`, file: inp.file });
      continue;
    }
    for await (const rec of readEventFile(inp.file, {
      ...(inp.format ? { format: inp.format } : {}),
      ...(inp.inspect ? { inspect: inp.inspect } : {}),
      docker,
    })) {
      if ('event' in rec) {
        // A parser that forgot its bookkeeping must not stop the replay; the origin still says where it came from.
        rec.event.stowaway ??= { source: 'unknown', logsource: {}, origin: inp.file };
        rec.event.stowaway.replay = true;
        if (!rec.event.host?.name) rec.event.host = { ...rec.event.host, name: replayHost(s) };
        events.push(rec.event);
      } else diagnostics.push(rec.diagnostic);
    }
  }
  // Stable sort on event time: correlations see docker and audit events interleaved as they happened.
  const keyed = events.map((e, i) => ({ e, i, t: Date.parse(e['@timestamp']) }));
  keyed.sort((a, b) => (Number.isFinite(a.t) && Number.isFinite(b.t) && a.t !== b.t ? a.t - b.t : a.i - b.i));
  return { events: keyed.map((k) => k.e), diagnostics };
}

/** Every event through the engine, then what its windows still hold. */
export function replayEvents(engine: ReplayEngine, events: readonly StowawayEvent[]): Finding[] {
  const findings: Finding[] = [];
  for (const e of events) findings.push(...engine.process(e));
  findings.push(...engine.flush());
  return findings;
}

/** One scenario on a fresh engine: no state is shared between scenarios. */
export async function replayScenario(s: Scenario, engine: ReplayEngine): Promise<{ events: number; findings: Finding[]; diagnostics: Diagnostic[] }> {
  const { events, diagnostics } = await readScenarioEvents(s);
  return { events: events.length, findings: replayEvents(engine, events), diagnostics };
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

/** The scenarios of a content root (`<content>/strategies/<strategy>/scenarios/*.yml`). */
export async function findScenarios(contentDir: string): Promise<{ scenarios: Scenario[]; diagnostics: Diagnostic[] }> {
  return loadScenarios(join(contentDir, 'strategies'));
}

/** What `demo` runs: every scenario of the content through its engine and into the alert pipeline. */
export async function replayScenarios(
  content: Content,
  pipeline: AlertPipeline,
  opts: { onScenario?: (s: Scenario, r: ReplayReport['perScenario'][number]) => void; scenarios?: Scenario[] } = {},
): Promise<ReplayReport> {
  const report: ReplayReport = { scenarios: 0, files: 0, events: 0, findings: 0, alerts: 0, diagnostics: [], perScenario: [] };
  let scenarios = opts.scenarios;
  if (!scenarios) {
    const found = await findScenarios(content.contentDir);
    report.diagnostics.push(...found.diagnostics);
    scenarios = found.scenarios;
  }
  for (const s of scenarios) {
    report.files += s.inputs.length;
    const r = await replayScenario(s, content.engine());
    report.diagnostics.push(...r.diagnostics);
    const res = pipeline.process(r.findings);
    const one = { strategy: s.strategy, name: s.name, events: r.events, findings: r.findings.length, alerts: res.created.length };
    report.scenarios++;
    report.events += r.events;
    report.findings += r.findings.length;
    report.alerts += res.created.length;
    report.perScenario.push(one);
    opts.onScenario?.(s, one);
  }
  return report;
}
