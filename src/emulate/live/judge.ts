// Judging a scenario from what arrived: which of its rules fired on its own containers (or stayed
// quiet), how long after the step that caused them, and what containment did.
import type { Finding } from '../../model/alert.js';
import type { ResponseRecord } from '../../model/response.js';
import type { StowawayEvent } from '../../model/event.js';
import type { Witness } from './witness.js';
import { belongsTo, mismatch, sameContainerId, type Received, type WitnessedContainer } from './match.js';
import type { RuleCheck, ContainmentSummary } from './report.js';
import { breakdown, type FindingTrace, type FindingVia } from './trace.js';
import type { LivePipeline } from './live-types.js';
import { type ScenarioContext, quietSet } from './scenario-context.js';

/** Response to each finding, by the finding's arrival record. */
export type Responses = Map<Received, { done: Promise<void>; records: ResponseRecord[] }>;

/** Longest a scenario waits for its findings' containment to finish before cleaning up. */
const RESPONSE_WAIT_MS = 30_000;

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
export function traceOf(f: Finding, via: FindingVia, pipeline: LivePipeline | undefined): FindingTrace | undefined {
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
export function judge(ctx: ScenarioContext, received: Received[], witness: Witness, stepStarts: number[]): { checks: RuleCheck[]; mine: Received[] } {
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
export async function containmentOf(mine: Received[], responses: Responses, stepStarts: number[]): Promise<ContainmentSummary[]> {
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
