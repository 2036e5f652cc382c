// The live validation run: stowaway's own pipeline listens to the real Docker
// engine and Linux audit while each scenario performs its steps for real; we
// wait for the expected detections (or for silence), time them, and clean up.
import { mkdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import type { Finding } from '../../model/alert.js';
import type { ResponseRecord } from '../../model/response.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { needsRunNetwork, type EmulationScenario, type EmulationStep } from './format.js';
import { runStep, type StepResult } from './exec.js';
import { startHttpsTarget, startListener, type HttpsTarget, type Listener } from './fixtures.js';
import { sweepLabeled, EMULATION_LABEL, EMULATION_PREFIX, SCENARIO_LABEL } from './cleanup.js';
import { createRunNetwork, removeRunNetwork, runNetworkName, type RunNetwork } from './network.js';
import { startWitness, type Witness } from './witness.js';
import { belongsTo, mismatch, percentile, sameContainerId, toReceived, type Received, type WitnessedContainer } from './match.js';
import { statSync } from 'node:fs';
import { loadEmulations, type LoadedEmulation } from './load.js';
import { acquireHostLock, type HostLock } from './lock.js';
import type { LiveReport, LiveRow, RuleCheck, ContainmentSummary } from './report.js';
import type { StowawayEvent } from '../../model/event.js';
import type { EventTimings } from '../../sources/types.js';
import { breakdown, type FindingTrace, type FindingVia } from './trace.js';

/** What the runner needs from stowaway's live pipeline (sources → engine). */
export interface LivePipeline {
  /** One line per source: started, or not and why. */
  sources: string[];
  /** True when the Docker and audit sources both started. */
  ready: boolean;
  rulesLoaded: number;
  diagnostics: Diagnostic[];
  /** The stamps of an event on its way through the sources (latency breakdown), when kept. */
  timings?(ev: StowawayEvent): (EventTimings & { engine_ms?: number }) | undefined;
  /** When each source's watermark first reached `timeMs` (epoch ms, by tick), for the ticks still remembered. */
  watermarkPassed?(timeMs: number): Record<string, number>;
  /** Per source: how long after their own time events were read (ms). */
  sourceLag?(): LiveReport['source_lag'];
  /** How late this process's event loop ran (ms), over the run. */
  eventLoopDelay?(): LiveReport['event_loop_delay'];
  stop(): Promise<void>;
}

export interface PipelineOptions {
  content: string;
  /** Every event the sources deliver, before the engine (recording). */
  onEvent?: (ev: StowawayEvent) => void;
  /** `via`: the finding came out of processing an event, a watermark tick, or the final flush. */
  onFinding: (f: Finding, via?: FindingVia) => void;
}

export type PipelineFactory = (opts: PipelineOptions) => Promise<LivePipeline>;

/** Installs stowaway's audit rules for the run; returns how to take them out again. */
export type AuditRulesInstaller = (runId: string) => Promise<{ installed: number; detail?: string; remove(): Promise<{ removed: boolean; detail?: string }> }>;

export interface LiveOptions {
  /** Content root (`content`) or strategies folder (`content/strategies`). */
  content?: string;
  /** Only strategies whose folder name contains one of these (or whose id equals one). */
  strategies?: string[];
  /** Only scenarios with these ids. */
  scenarios?: string[];
  /** Upper bound in seconds for every wait (positive) and quiet period (benign); scenario values below it are kept. */
  maxWaitS?: number;
  /** Multiplies every step timeout (slow CI machines). */
  stepTimeoutScale?: number;
  /** Progress lines (one per scenario) go here; default: nowhere. */
  log?: (line: string) => void;
  /** Seconds to let sources settle after they start, before the first scenario. */
  settleS?: number;
  pipeline?: PipelineFactory;
  auditRules?: AuditRulesInstaller;
  /** Seconds to wait for another live validation on this host to finish (default 900). */
  lockWaitS?: number;
  /** Docker client; default the local socket. */
  docker?: Docker;
  /** Scenarios to run instead of the strategies' emulation.yml files (generated variants). */
  emulations?: LoadedEmulation[];
  /** Called after each scenario's cleanup with the telemetry that belongs to it. */
  record?: ScenarioRecorder;
  /** Containment in auto mode: called for each finding as it arrives; its records are reported per scenario. */
  respond?: (f: Finding) => Promise<ResponseRecord[]>;
}

/** What a scenario produced, for writing it down as a replay scenario. */
export interface ScenarioTelemetry {
  strategy: LoadedEmulation;
  scenario: EmulationScenario;
  row: LiveRow;
  mark: string;
  containers: WitnessedContainer[];
  /** Events of the sources that name one of the scenario's containers or carry its marker, in arrival order. */
  events: StowawayEvent[];
  /** Size of the audit log when the scenario started (to cut its raw lines out). */
  auditOffset?: number;
}

export type ScenarioRecorder = (t: ScenarioTelemetry) => Promise<string | undefined>;

/** The audit log the live source reads, where the recorder cuts raw lines from. */
export const AUDIT_LOG = '/var/log/audit/audit.log';

/** Response to each finding, by the finding's arrival record. */
type Responses = Map<Received, { done: Promise<void>; records: ResponseRecord[] }>;

/** Actions that stop an adversary's step in its tracks. */
const CUTTING = new Set(['isolate', 'pause', 'stop', 'terminate']);

/** Longest a scenario waits for its findings' containment to finish before cleaning up. */
const RESPONSE_WAIT_MS = 30_000;

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** Repository root: src/emulate/live → ../../.. (same from dist/emulate/live). */
export const REPO_ROOT = resolve(HERE, '..', '..', '..');
export const SCRIPTS_DIR = join(REPO_ROOT, 'scripts', 'emulation');
export const EMULATION_IMAGE = 'stowaway/busybox:test';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

function auditdAlive(pid: string): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return /^Name:\s*auditd$/m.test(status) && !/^State:\s*[ZX]/m.test(status);
  } catch {
    return false;
  }
}

/** The reasons this host cannot run live validation; empty when it can. */
export async function preflight(docker: Docker, needs: { tools?: string[] } = {}): Promise<string[]> {
  const problems: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    problems.push('live validation needs root: it loads audit rules with auditctl and reads /var/log/audit/audit.log');
  if (!onPath('auditctl')) problems.push('auditctl not found (install auditd; bash scripts/test-env.sh does)');
  else {
    // Rules load fine into a kernel whose audit daemon is not running, and then nothing is logged.
    const st = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
    const out = st.stdout ?? '';
    if (st.status !== 0) problems.push(`auditctl -s failed: ${(st.stderr ?? '').trim() || `exit ${st.status}`}`);
    else if (!/^enabled [12]/m.test(out)) problems.push('kernel audit is disabled (auditctl -e 1)');
    else {
      // A killed auditd stays registered until the kernel next fails to send to it.
      const pid = /^pid (\d+)$/m.exec(out)?.[1] ?? '0';
      if (pid === '0' || !auditdAlive(pid)) problems.push('auditd is not running (bash scripts/test-env.sh starts it)');
    }
  }
  for (const t of needs.tools ?? []) if (!onPath(t)) problems.push(`${t} not found; the selected scenarios call it (bash scripts/test-env.sh installs it)`);
  try {
    await docker.ping();
  } catch (e) {
    problems.push(`Docker engine not reachable (${e instanceof Error ? e.message : String(e)}); start dockerd (bash scripts/test-env.sh)`);
    return problems;
  }
  try {
    await docker.getImage(EMULATION_IMAGE).inspect();
  } catch {
    problems.push(`image ${EMULATION_IMAGE} missing; bash scripts/test-env.sh imports it`);
  }
  return problems;
}

/** Host tools a set of scenarios calls, by the fixtures they need and the commands they run. */
export function toolsFor(scenarios: EmulationScenario[]): string[] {
  const tools = new Set<string>(['docker', 'bash']);
  for (const s of scenarios) {
    if (s.needs.includes('listener')) tools.add('ncat');
    if (s.needs.includes('https')) tools.add('openssl');
    const text = [...s.setup, ...s.steps].map((x) => x.run).join('\n');
    for (const t of ['qemu-system-x86_64', 'curl', 'timeout']) if (text.includes(t)) tools.add(t);
  }
  return [...tools].sort();
}

interface ScenarioContext {
  strategy: LoadedEmulation;
  scenario: EmulationScenario;
  mark: string;
  work: string;
  env: Record<string, string>;
  https?: HttpsTarget;
  listener?: Listener;
  /** The run's bridge network, or why there is none. */
  network: RunNetwork | { error: string } | undefined;
}

function scaled(step: EmulationStep, scale: number): EmulationStep {
  return { ...step, timeout_s: Math.max(1, Math.round(step.timeout_s * scale)) };
}

async function runSteps(steps: EmulationStep[], ctx: ScenarioContext, scale: number): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const s of steps) {
    const r = await runStep(scaled(s, scale), ctx.env, ctx.work);
    out.push(r);
    if (!r.ok) break;
  }
  return out;
}

async function openFixtures(ctx: ScenarioContext): Promise<void> {
  if (!needsRunNetwork(ctx.scenario)) return;
  const net = ctx.network;
  if (!net || 'error' in net) throw new Error(`the run network is unavailable: ${net?.error ?? 'not created'}`);
  Object.assign(ctx.env, { NETWORK: net.name, GATEWAY: net.gateway });
  if (ctx.scenario.needs.includes('https')) {
    ctx.https = await startHttpsTarget(ctx.work, net.gateway);
    Object.assign(ctx.env, { HTTPS_URL: ctx.https.url, HTTPS_HOST: ctx.https.host, HTTPS_PORT: String(ctx.https.port), HTTPS_CERT: ctx.https.certFile });
  }
  if (ctx.scenario.needs.includes('listener')) {
    ctx.listener = await startListener(net.gateway);
    Object.assign(ctx.env, { LISTEN_HOST: ctx.listener.host, LISTEN_PORT: String(ctx.listener.port) });
  }
}

async function closeFixtures(ctx: ScenarioContext): Promise<string[]> {
  const evidence: string[] = [];
  if (ctx.https) {
    const ups = ctx.https.uploads;
    evidence.push(`https target received ${ups.length} upload(s)${ups.length ? ` (${ups.map((u) => `${u.method} ${u.bytes}B`).join(', ')})` : ''}`);
    await ctx.https.close();
  }
  if (ctx.listener) {
    evidence.push(`listener ${ctx.listener.connected() ? 'got a reverse-shell connection' : 'saw no connection'}`);
    await ctx.listener.close();
  }
  return evidence;
}

function quietSet(ctx: ScenarioContext): string[] {
  return ctx.scenario.quiet.length > 0 ? ctx.scenario.quiet : ctx.strategy.rules;
}

/**
 * Action→alert time: from the start of the step that was running when the
 * detected event happened (its own timestamp, same host clock) to the arrival
 * of the detection. A detection whose event time cannot be read is timed from
 * the latest step started before it arrived.
 */
export function latencyFrom(stepStarts: number[], r: Pick<Received, 'time' | 'received_ms'>): number {
  return Math.max(0, r.received_ms - latencyZero(stepStarts, r));
}

/** The start of the step a detection is timed from (see latencyFrom). */
export function latencyZero(stepStarts: number[], r: Pick<Received, 'time' | 'received_ms'>): number {
  const evMs = Date.parse(r.time);
  const anchor = Number.isFinite(evMs) && evMs <= r.received_ms ? evMs : r.received_ms;
  let from: number | undefined;
  // A step's start is stamped before bash has exec'd anything, but event clocks
  // (kernel, dockerd) may round: allow 50 ms either way.
  for (const t of stepStarts) if (t <= anchor + 50 && (from === undefined || t > from)) from = t;
  return from ?? Math.min(...stepStarts);
}

/** The stamps of a finding's events the pipeline kept. */
function traceOf(f: Finding, via: FindingVia, pipeline: LivePipeline | undefined): FindingTrace | undefined {
  if (!pipeline?.timings) return undefined;
  const events = f.events.flatMap((ev) => {
    const t = pipeline.timings!(ev);
    return t ? [{ ...t, ...(ev.event?.action ? { action: ev.event.action } : {}) }] : [];
  });
  if (!events.length) return undefined;
  // A finding held for the watermark waited for the last of its events to be passed by every source.
  const newest = Math.max(...f.events.map((e) => Date.parse(e['@timestamp'])).filter(Number.isFinite));
  const watermarks = via === 'tick' && Number.isFinite(newest) ? pipeline.watermarkPassed?.(newest) : undefined;
  return { via, events, ...(watermarks && Object.keys(watermarks).length ? { watermarks } : {}) };
}

/** Evaluates a scenario against everything received so far. */
function judge(ctx: ScenarioContext, received: Received[], witness: Witness, stepStarts: number[]): { checks: RuleCheck[]; mine: Received[] } {
  const containers = witness.containersOf(ctx.mark);
  const since = stepStarts.length ? Math.min(...stepStarts) : 0;
  const mine = received.filter((r) => r.received_ms >= since && belongsTo(r, ctx.mark, containers));
  if (ctx.scenario.kind === 'benign') {
    const quiet = quietSet(ctx);
    const loud = mine.filter((r) => quiet.includes('*') || quiet.includes(r.rule));
    const checks: RuleCheck[] = [...new Set(loud.map((r) => r.rule))].map((rule) => ({
      rule,
      met: false,
      reason: `false alarm: ${loud.find((r) => r.rule === rule)!.title}`,
    }));
    return { checks, mine };
  }
  const all = ctx.scenario.expect.map((exp): RuleCheck => {
    const cands = mine.filter((r) => r.rule === exp.rule);
    const good = cands.find((r) => mismatch(r, exp, containers) === undefined);
    if (good) {
      return {
        rule: exp.rule,
        met: true,
        latency_ms: latencyFrom(stepStarts, good),
        ...(good.trace ? { breakdown: breakdown(good.trace, latencyZero(stepStarts, good), good.received_ms) } : {}),
        ...(good.container?.id ? { container_id: good.container.id } : {}),
        ...(good.container?.image ? { image: good.container.image } : {}),
        ...(good.process ? { process: good.process.command_line ?? good.process.executable ?? '' } : {}),
      };
    }
    const why = cands.length > 0 ? mismatch(cands[0]!, exp, containers) : 'no detection within the wait';
    return { rule: exp.rule, met: false, ...(why ? { reason: why } : {}) };
  });
  // Any-of: the rules that fired are the checks; none fired, every one is reported missing.
  const checks = ctx.scenario.expect_any && all.some((c) => c.met) ? all.filter((c) => c.met) : all;
  return { checks, mine };
}

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

/** The tapped events that belong to a scenario: one of its containers, or its marker anywhere in the event. */
export function scenarioEvents(events: StowawayEvent[], mark: string, containers: WitnessedContainer[]): StowawayEvent[] {
  const m = mark.toLowerCase();
  return events.filter((ev) => {
    const id = ev.container?.id;
    if (id && containers.some((c) => sameContainerId(c.id, id))) return true;
    if (ev.container?.name?.replace(/^\//, '').startsWith(mark)) return true;
    try {
      return JSON.stringify(ev).toLowerCase().includes(m);
    } catch {
      return false;
    }
  });
}

/** What containment did for a scenario's findings, timed from the step that caused each. */
async function containmentOf(mine: Received[], responses: Responses, stepStarts: number[]): Promise<ContainmentSummary[]> {
  const ours = mine.filter((r) => responses.has(r));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(ours.map((r) => responses.get(r)!.done)), new Promise((r) => (timer = setTimeout(r, RESPONSE_WAIT_MS)))]);
  clearTimeout(timer);
  return ours.flatMap((r) => {
    const zero = latencyZero(stepStarts, r);
    return responses.get(r)!.records.map((rec) => ({
      rule: r.rule,
      action: rec.action,
      result: rec.result,
      target: rec.target,
      actor: rec.actor,
      detail: rec.detail,
      alert_ms: latencyFrom(stepStarts, r),
      started_ms: Date.parse(rec.started) - zero,
      finished_ms: Date.parse(rec.finished) - zero,
      duration_ms: rec.duration_ms,
      finished: rec.finished,
      ...(rec.data?.same_as ? { coalesced: true } : {}),
    }));
  });
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
      // The adversary's step did not finish because containment cut it off: that is the
      // response working, not the emulation breaking; the detections are judged as usual.
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
    if (tap && opts.record) {
      // Die and destroy events of the swept containers, and the audit tail, arrive just after.
      await sleep(1500);
      const events = scenarioEvents(tap.events, mark, row.containers);
      tap.events = [];
      try {
        const where = await opts.record({
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
    row.duration_ms = Date.now() - t0;
  }
  return row;
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
  const finish = (fatal?: string): LiveReport => {
    if (fatal) report.fatal = fatal;
    report.finished = new Date().toISOString();
    const lat = report.rows.flatMap((r) => r.checks.filter((c) => c.met && c.latency_ms !== undefined).map((c) => c.latency_ms!));
    report.latency = { count: lat.length, ...(lat.length ? { p50_ms: percentile(lat, 50)!, p99_ms: percentile(lat, 99)!, max_ms: Math.max(...lat) } : {}) };
    for (const r of report.rows) report.totals[r.verdict]++;
    report.ok = !report.fatal && report.rows.length > 0 && report.rows.every((r) => r.verdict === 'pass');
    return report;
  };

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
  let network: RunNetwork | { error: string } | undefined;
  if (plan.some((p) => p.scenarios.some(needsRunNetwork))) {
    try {
      network = await createRunNetwork(docker, runId);
      report.network = { name: network.name, subnet: network.subnet, gateway: network.gateway, removed: false };
    } catch (e) {
      // Only the scenarios that need it fail (as errors, saying why); the others still run.
      network = { error: e instanceof Error ? e.message : String(e) };
      report.network = { name: runNetworkName(runId), removed: true, error: network.error };
    }
  }

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
      onFinding: (f, via = 'event') => {
        const r = toReceived(f, Date.now());
        const trace = traceOf(f, via, pipeline);
        const rec = trace ? { ...r, trace } : r;
        received.push(rec);
        if (opts.respond) {
          const entry: { done: Promise<void>; records: ResponseRecord[] } = { done: Promise.resolve(), records: [] };
          entry.done = opts.respond(f).then(
            (recs) => void entry.records.push(...recs),
            (e: unknown) => log(`  containment failed: ${e instanceof Error ? e.message : String(e)}`),
          );
          responses.set(rec, entry);
        }
      },
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
    for (const row of report.rows.filter((r) => r.kind === 'benign' && r.verdict === 'pass')) {
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
