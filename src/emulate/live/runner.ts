// The live validation run: stowaway's own pipeline listens to the real Docker
// engine and Linux audit while each scenario performs its steps for real; we
// wait for the expected detections (or for silence), time them, and clean up.
//
// Beside it: live-types.ts (contracts), preflight.ts, scenario-context.ts (fixtures, steps), judge.ts.
import Docker from 'dockerode';
import { mkdir, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResponseRecord } from '../../model/response.js';
import type { StowawayEvent } from '../../model/event.js';
import { needsRunNetwork, type EmulationScenario } from './format.js';
import { runStep } from './exec.js';
import { sweepLabeled, EMULATION_LABEL, EMULATION_PREFIX, SCENARIO_LABEL } from './cleanup.js';
import { createRunNetwork, removeRunNetwork, runNetworkName, type RunNetwork } from './network.js';
import { startWitness, type Witness } from './witness.js';
import { detectionMs } from './trace.js';
import { belongsTo, percentile, toReceived, type Received } from './match.js';
import { loadEmulations, type LoadedEmulation } from './load.js';
import { acquireHostLock, type HostLock } from './lock.js';
import type { LiveReport, LiveRow, RuleCheck } from './report.js';
import type { LivePipeline, PipelineOptions, AuditRulesInstaller, LiveOptions, ScenarioRecorder } from './live-types.js';
import { preflight, toolsFor, EMULATION_IMAGE } from './preflight.js';
import { type ScenarioContext, scaled, runSteps, openFixtures, closeFixtures } from './scenario-context.js';
import { type Responses, latencyFrom, traceOf, judge, scenarioEvents, containmentOf } from './judge.js';

export type { LivePipeline, PipelineOptions, PipelineFactory, AuditRulesInstaller, LiveOptions, ScenarioTelemetry, ScenarioRecorder } from './live-types.js';
export { preflight, toolsFor, EMULATION_IMAGE } from './preflight.js';
export { latencyFrom, latencyZero, scenarioEvents } from './judge.js';

/** The audit log the live source reads, where the recorder cuts raw lines from. */
export const AUDIT_LOG = '/var/log/audit/audit.log';

/** Actions that stop an adversary's step in its tracks. */
const CUTTING = new Set(['isolate', 'pause', 'stop', 'terminate']);

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** Repository root: src/emulate/live → ../../.. (same from dist/emulate/live). */
export const REPO_ROOT = resolve(HERE, '..', '..', '..');
export const SCRIPTS_DIR = join(REPO_ROOT, 'scripts', 'emulation');

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Events a recording run keeps while a scenario runs; undefined when not recording. */
interface Tap {
  events: StowawayEvent[];
}

function auditSize(): number | undefined {
  try {
    return statSync(AUDIT_LOG).size;
  } catch {
    return undefined;
  }
}

/**
 * The row's verdict from its checks. The adversary's step did not finish because containment cut
 * it off: that is the response working, not the emulation breaking; the detections are judged as usual.
 */
function settleVerdict(row: LiveRow, scenario: EmulationScenario, checks: RuleCheck[], stepFailed: boolean): void {
  let failed = stepFailed;
  const last = row.steps[row.steps.length - 1];
  const cut =
    failed && last && !last.ok
      ? row.containment?.find((c) => c.result === 'done' && !c.coalesced && CUTTING.has(c.action) && Date.parse(c.finished) <= last.ended_ms)
      : undefined;
  if (cut && last) {
    failed = false;
    const when =
      Date.parse(cut.finished) >= last.started_ms
        ? `cut short by ${cut.action} ${Date.parse(cut.finished) - last.started_ms}ms after it began`
        : `failed after ${cut.action} had finished, ${last.started_ms - Date.parse(cut.finished)}ms before it began`;
    row.contained_step = `step ${when} (${last.timed_out ? 'timed out' : `exit ${last.code ?? last.signal}`} after ${last.ended_ms - last.started_ms}ms): ${last.command.split('\n')[0]!.slice(0, 120)}`;
  }
  if (failed) {
    row.verdict = 'error';
    row.reason = 'a step failed (see below)';
  } else if (scenario.kind === 'positive') {
    const missing = scenario.expect_any ? (checks.some((c) => c.met) ? [] : checks) : checks.filter((c) => !c.met);
    row.verdict = missing.length === 0 ? 'pass' : 'fail';
    if (missing.length) row.reason = `${missing.length} of ${checks.length} expected detections missing or wrong`;
    else row.latency_ms = Math.max(...checks.map((c) => c.latency_ms ?? 0));
  } else {
    row.verdict = checks.length === 0 ? 'pass' : 'fail';
    if (checks.length) row.reason = `${checks.length} rule(s) alerted on benign activity`;
  }
}

/** Hands a recorder the telemetry that belongs to a finished scenario; failures go to its evidence. */
async function recordScenario(
  record: ScenarioRecorder,
  tap: Tap,
  s: { strategy: LoadedEmulation; scenario: EmulationScenario; row: LiveRow; mark: string; auditOffset: number | undefined },
): Promise<void> {
  const { strategy, scenario, row, mark, auditOffset } = s;
  // Die and destroy events of the swept containers, and the audit tail, arrive just after.
  await sleep(1500);
  const events = scenarioEvents(tap.events, mark, row.containers);
  tap.events = [];
  try {
    const where = await record({
      strategy,
      scenario,
      row,
      mark,
      containers: row.containers,
      events,
      ...(auditOffset !== undefined ? { auditOffset } : {}),
    });
    if (where) row.evidence.push(`recorded ${events.length} events to ${where}`);
  } catch (e) {
    row.evidence.push(`recording failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function runScenario(
  strategy: LoadedEmulation,
  scenario: EmulationScenario,
  runId: string,
  received: Received[],
  witness: Witness,
  docker: Docker,
  network: ScenarioContext['network'],
  opts: LiveOptions,
  responses: Responses,
  tap?: Tap,
): Promise<LiveRow> {
  const t0 = Date.now();
  const auditOffset = tap ? auditSize() : undefined;
  if (tap) tap.events = [];
  const scale = opts.stepTimeoutScale ?? 1;
  const mark = `${EMULATION_PREFIX}${scenario.id}-${runId}`;
  const work = join('/tmp', mark);
  await mkdir(work, { recursive: true });
  const labels = `--label ${EMULATION_LABEL}=1 --label ${SCENARIO_LABEL}=${mark}`;
  const ctx: ScenarioContext = {
    strategy,
    scenario,
    mark,
    work,
    env: { MARK: mark, WORK: work, RUN_ID: runId, IMAGE: EMULATION_IMAGE, LABELS: labels, SCRIPTS: SCRIPTS_DIR, SCENARIO: scenario.id },
    network,
  };
  const row: LiveRow = {
    strategy: strategy.strategy,
    scenario: scenario.id,
    kind: scenario.kind,
    description: scenario.description,
    expected: scenario.kind === 'positive' ? scenario.expect.map((e) => e.rule) : scenario.quiet,
    received: [],
    checks: [],
    verdict: 'error',
    steps: [],
    containers: [],
    evidence: [],
    duration_ms: 0,
  };
  const stepStarts: number[] = [];
  try {
    await openFixtures(ctx);
    const setup = await runSteps(scenario.setup, ctx, scale);
    row.steps.push(...setup);
    stepStarts.push(...setup.map((s) => s.started_ms));
    if (setup.some((s) => !s.ok)) {
      row.reason = 'setup failed';
    } else {
      let failed = false;
      for (const step of scenario.steps) {
        const r = await runStep(scaled(step, scale), ctx.env, work);
        stepStarts.push(r.started_ms);
        row.steps.push(r);
        if (!r.ok) {
          failed = true;
          break;
        }
      }
      const waitS = Math.min(scenario.wait_s, opts.maxWaitS ?? Infinity);
      const deadline = Date.now() + waitS * 1000;
      if (scenario.kind === 'positive') {
        // Stop waiting as soon as every expectation is met: latency, not the wait, is the figure.
        while (Date.now() < deadline && !judge(ctx, received, witness, stepStarts).checks.every((c) => c.met)) await sleep(100);
      } else {
        await sleep(Math.max(0, deadline - Date.now()));
      }
      const { checks, mine } = judge(ctx, received, witness, stepStarts);
      row.checks = checks;
      // Containment runs while the scenario's containers still exist: wait for it before cleanup.
      if (opts.respond) row.containment = await containmentOf(mine, responses, stepStarts);
      row.received = mine.map((r) => ({
        rule: r.rule,
        title: r.title,
        latency_ms: latencyFrom(stepStarts, r),
        ...(r.container?.id ? { container_id: r.container.id } : {}),
        ...(r.container?.image ? { image: r.container.image } : {}),
        ...(r.process ? { process: r.process.command_line ?? r.process.executable ?? '' } : {}),
      }));
      settleVerdict(row, scenario, checks, failed);
    }
  } catch (e) {
    row.verdict = 'error';
    row.reason = e instanceof Error ? e.message : String(e);
  } finally {
    row.containers = witness.containersOf(mark);
    const cleanup = await runSteps(scenario.cleanup, ctx, scale).catch(() => []);
    // Cleanup failures are reported but never stop the sweep below.
    for (const c of cleanup) if (!c.ok) row.steps.push(c);
    const sweep = await sweepLabeled(docker, mark);
    if (sweep.errors.length) row.evidence.push(`cleanup problems: ${sweep.errors.join('; ')}`);
    row.evidence.unshift(...(await closeFixtures(ctx).catch((e: unknown) => [`fixture close failed: ${String(e)}`])));
    await rm(work, { recursive: true, force: true });
    if (tap && opts.record) await recordScenario(opts.record, tap, { strategy, scenario, row, mark, auditOffset });
    row.duration_ms = Date.now() - t0;
  }
  return row;
}

/** Closes the report: time, latency percentiles, totals, and whether the whole run passed. */
function summarize(report: LiveReport, fatal?: string): LiveReport {
  if (fatal) report.fatal = fatal;
  report.finished = new Date().toISOString();
  const lat = report.rows.flatMap((r) => r.checks.filter((c) => c.met && c.latency_ms !== undefined).map((c) => c.latency_ms!));
  report.latency = { count: lat.length, ...(lat.length ? { p50_ms: percentile(lat, 50)!, p99_ms: percentile(lat, 99)!, max_ms: Math.max(...lat) } : {}) };
  const det = report.rows.flatMap((r) => r.checks.flatMap((c) => (c.met && c.breakdown ? [detectionMs(c.breakdown)] : []))).filter((v) => v !== undefined);
  if (det.length) report.detection_latency = { count: det.length, p50_ms: percentile(det, 50)!, p99_ms: percentile(det, 99)!, max_ms: Math.max(...det) };
  for (const r of report.rows) report.totals[r.verdict]++;
  report.ok = !report.fatal && report.rows.length > 0 && report.rows.every((r) => r.verdict === 'pass');
  return report;
}

/** A false alarm that arrives after its quiet period is still a false alarm: fails benign rows that got one. */
function failLateFalseAlarms(rows: LiveRow[], plan: { e: LoadedEmulation }[], received: Received[], runId: string): void {
  for (const row of rows.filter((r) => r.kind === 'benign' && r.verdict === 'pass')) {
    const mark = `${EMULATION_PREFIX}${row.scenario}-${runId}`;
    const emu = plan.find((p) => p.e.strategy === row.strategy)!.e;
    const quiet = row.expected.length ? row.expected : emu.rules;
    const late = received.filter((r) => belongsTo(r, mark, row.containers) && (quiet.includes('*') || quiet.includes(r.rule)));
    if (late.length) {
      row.verdict = 'fail';
      row.reason = `late false alarm: ${[...new Set(late.map((r) => r.rule))].join(', ')}`;
      row.checks = late.map((r) => ({ rule: r.rule, met: false, reason: `false alarm after the quiet period: ${r.title}` }));
    }
  }
}

/** The run's bridge network, or why there is none (only the scenarios that need it then fail, saying why). */
async function openRunNetwork(docker: Docker, runId: string, report: LiveReport): Promise<RunNetwork | { error: string }> {
  try {
    const network = await createRunNetwork(docker, runId);
    report.network = { name: network.name, subnet: network.subnet, gateway: network.gateway, removed: false };
    return network;
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    report.network = { name: runNetworkName(runId), removed: true, error };
    return { error };
  }
}

/**
 * What the pipeline calls with each finding: kept as received (with the stamps of its events), and
 * handed to containment when the run responds.
 */
function findingHandler(
  received: Received[],
  responses: Responses,
  respond: LiveOptions['respond'],
  log: (line: string) => void,
  pipeline: () => LivePipeline | undefined,
): NonNullable<PipelineOptions['onFinding']> {
  return (f, via = 'event') => {
    const r = toReceived(f, Date.now());
    const trace = traceOf(f, via, pipeline());
    const rec = trace ? { ...r, trace } : r;
    received.push(rec);
    if (respond) {
      const entry: { done: Promise<void>; records: ResponseRecord[] } = { done: Promise.resolve(), records: [] };
      entry.done = respond(f).then(
        (recs) => void entry.records.push(...recs),
        (e: unknown) => log(`  containment failed: ${e instanceof Error ? e.message : String(e)}`),
      );
      responses.set(rec, entry);
    }
  };
}

/** Runs every selected scenario against the live pipeline and reports verdicts and latencies. */
export async function runLive(opts: LiveOptions): Promise<LiveReport> {
  const started = new Date().toISOString();
  const runId = randomBytes(3).toString('hex');
  const docker = opts.docker ?? new Docker();
  const log = opts.log ?? ((): void => {});
  const report: LiveReport = {
    run_id: runId,
    started,
    finished: started,
    rows: [],
    sources: [],
    audit_rules: { installed: 0, removed: false },
    rules_loaded: 0,
    diagnostics: [],
    latency: { count: 0 },
    totals: { pass: 0, fail: 0, error: 0 },
    ok: false,
  };
  const finish = (fatal?: string): LiveReport => summarize(report, fatal);

  const content = opts.content ?? join(REPO_ROOT, 'content');
  const { emulations, diagnostics } = opts.emulations ? { emulations: opts.emulations, diagnostics: [] } : await loadEmulations(content, opts.strategies ?? []);
  report.diagnostics.push(...diagnostics);
  const plan = emulations
    .map((e) => ({ e, scenarios: e.scenarios.filter((s) => !opts.scenarios?.length || opts.scenarios.includes(s.id)) }))
    .filter((p) => p.scenarios.length > 0);
  if (plan.length === 0) return finish('no emulation scenarios selected (check --content and the strategy/scenario filters)');

  const problems = await preflight(docker, { tools: toolsFor(plan.flatMap((p) => p.scenarios)) });
  if (problems.length) return finish(problems.join('; '));
  if (!opts.pipeline) return finish('no live pipeline available (stowaway live sources or engine missing from this build)');
  if (!opts.auditRules) return finish('no audit-rules installer available (stowaway audit-rules missing from this build)');

  let lock: HostLock;
  try {
    lock = await acquireHostLock({
      ...(opts.lockWaitS !== undefined ? { waitS: opts.lockWaitS } : {}),
      onWait: (pid) => log(`waiting for another live validation (pid ${pid}) to finish ...`),
    });
  } catch (e) {
    return finish(e instanceof Error ? e.message : String(e));
  }
  // Holding the lock, anything labeled is a leftover of an interrupted run and
  // would otherwise be mistaken for this run's activity.
  await sweepLabeled(docker);
  // One bridge network for the whole run: creating one per scenario would add its
  // setup to every scenario's steps, and scenarios run one after another anyway.
  const network = plan.some((p) => p.scenarios.some(needsRunNetwork)) ? await openRunNetwork(docker, runId, report) : undefined;

  // Ctrl-C finishes the running scenario's cleanup, skips the rest, and still
  // removes the audit rules; a second signal is left to Node's default.
  let interrupted: string | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = sig;
    log(`${sig}: stopping after the current scenario's cleanup`);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  for (const sig of SIGNALS) process.once(sig, onSignal);
  const received: Received[] = [];
  const responses: Responses = new Map();
  let audit: Awaited<ReturnType<AuditRulesInstaller>> | undefined;
  let pipeline: LivePipeline | undefined;
  let witness: Witness | undefined;
  try {
    try {
      audit = await opts.auditRules(runId);
    } catch (e) {
      return finish(`cannot install stowaway's audit rules: ${e instanceof Error ? e.message : String(e)}`);
    }
    report.audit_rules = { installed: audit.installed, removed: false, ...(audit.detail ? { detail: audit.detail } : {}) };
    const tap: Tap | undefined = opts.record ? { events: [] } : undefined;
    pipeline = await opts.pipeline({
      content,
      ...(tap ? { onEvent: (ev: StowawayEvent) => void tap.events.push(ev) } : {}),
      onFinding: findingHandler(received, responses, opts.respond, log, () => pipeline),
    });
    report.sources = pipeline.sources;
    report.rules_loaded = pipeline.rulesLoaded;
    report.diagnostics.push(...pipeline.diagnostics);
    if (!pipeline.ready) return finish('the Docker and Linux audit sources did not both start (see source lines)');
    witness = await startWitness(docker);
    await sleep((opts.settleS ?? 1) * 1000);
    for (const { e, scenarios } of plan) {
      for (const s of scenarios) {
        if (interrupted) break;
        log(`running ${e.strategy}/${s.id} (${s.kind}) ...`);
        const row = await runScenario(e, s, runId, received, witness, docker, network, opts, responses, tap);
        log(`  ${row.verdict}${row.latency_ms !== undefined ? ` in ${row.latency_ms}ms` : ''}${row.reason ? `: ${row.reason}` : ''}`);
        report.rows.push(row);
      }
    }
    // A false alarm that arrives after its quiet period is still a false alarm.
    await sleep(1000);
    failLateFalseAlarms(report.rows, plan, received, runId);
  } finally {
    for (const sig of SIGNALS) process.off(sig, onSignal);
    witness?.stop();
    const lag = pipeline?.sourceLag?.();
    if (lag && Object.keys(lag).length) report.source_lag = lag;
    const loopDelay = pipeline?.eventLoopDelay?.();
    if (loopDelay) report.event_loop_delay = loopDelay;
    if (pipeline) await pipeline.stop().catch(() => {});
    if (audit) {
      const r = await audit.remove().catch((e: unknown) => ({ removed: false, detail: String(e) }));
      report.audit_rules.removed = r.removed;
      if (r.detail) report.audit_rules.detail = [report.audit_rules.detail, r.detail].filter(Boolean).join('; ');
    }
    await sweepLabeled(docker);
    if (network && report.network && !('error' in network)) {
      // The sweep removes it by label; this says whether it really is gone.
      const problem = await removeRunNetwork(docker, network);
      report.network.removed = problem === undefined;
      if (problem) report.network.error = problem;
    }
    await lock.release();
  }
  if (interrupted) {
    const done = report.rows.length;
    const total = plan.reduce((n, p) => n + p.scenarios.length, 0);
    return finish(`interrupted by ${interrupted} after ${done} of ${total} scenarios (cleaned up)`);
  }
  return finish();
}
