// Container lifecycle: how long a container lived and what it did meanwhile (bytes out, network
// tools), and on each host, bursts of container creation and removal that coincide with an
// egress spike.
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { AnalyticBase, IntervalBuckets, iso, type AnalyticView } from './base.js';
import { addToAcc, closeInterval, newSeries, type Acc, type SeriesState } from './baseline.js';
import { joinKey, keyObject, logsourceMatches, numberAt, whereMatches } from './match.js';
import type { AnalyticsStore } from './store.js';
import { StateTable } from './table.js';
import type { InputDef, LifecycleDef, ToolSpec } from './types.js';
import { formatDuration } from './units.js';

interface ContainerState {
  created?: number;
  started?: number;
  ended?: number;
  lifetimeS?: number;
  autoRemove?: boolean;
  name?: string;
  image?: string;
  host?: string;
  /** Bytes out per egress input (index in `egress`). */
  egress: number[];
  /** Last counter total per egress input, for counter inputs. */
  totals: Array<{ v: number; t: number } | null>;
  tools: string[];
  /** Addresses Docker gave the container: network records without `container.id` are matched on them. */
  ips?: string[];
  evidence: StowawayEvent[];
  endEvent?: StowawayEvent;
  last: number;
}

interface HostState {
  series: SeriesState;
  churn: Record<string, { n: number; ev: StowawayEvent; actions: Record<string, number> }>;
}

const MAX_EVIDENCE = 5;

/** The container's addresses from the inspect document the Docker source attaches. */
export function containerIps(ev: StowawayEvent): string[] {
  const inspect = (ev as { docker?: { inspect?: { NetworkSettings?: Record<string, unknown> } } }).docker?.inspect;
  const ns = inspect?.NetworkSettings;
  if (!ns || typeof ns !== 'object') return [];
  const ips = new Set<string>();
  if (typeof ns.IPAddress === 'string' && ns.IPAddress) ips.add(ns.IPAddress);
  const nets = ns.Networks;
  if (nets && typeof nets === 'object') {
    for (const n of Object.values(nets as Record<string, { IPAddress?: unknown; GlobalIPv6Address?: unknown }>)) {
      if (typeof n?.IPAddress === 'string' && n.IPAddress) ips.add(n.IPAddress);
      if (typeof n?.GlobalIPv6Address === 'string' && n.GlobalIPv6Address) ips.add(n.GlobalIPv6Address);
    }
  }
  return [...ips].sort();
}

/** `container-create` (Docker source) and `create` both name the create action. */
export function lifecycleAction(ev: StowawayEvent): string | undefined {
  const a = ev.event?.action;
  if (typeof a !== 'string') return undefined;
  return a.startsWith('container-') ? a.slice('container-'.length) : a;
}

export function toolMatch(ev: StowawayEvent, tools: readonly ToolSpec[]): string | undefined {
  const p = ev.process;
  if (!p) return undefined;
  const exe = typeof p.executable === 'string' ? p.executable.slice(p.executable.lastIndexOf('/') + 1) : undefined;
  for (const tool of tools) {
    if (p.name !== tool.name && exe !== tool.name) continue;
    if (tool.arg !== undefined && !(p.args ?? []).includes(tool.arg) && !(p.command_line ?? '').split(/\s+/).includes(tool.arg)) continue;
    return tool.arg ? `${tool.name} ${tool.arg}` : tool.name;
  }
  return undefined;
}

export class LifecycleAnalytic extends AnalyticBase {
  declare readonly def: LifecycleDef;
  private readonly ctrs: StateTable<ContainerState>;
  private readonly hosts: StateTable<HostState>;
  private readonly hostCounters: StateTable<{ v: number; t: number }>;
  private readonly buckets: IntervalBuckets;
  /** Containers that ended and wait `lateness` for their last records before the decision. */
  private readonly ending = new Set<string>();
  /** Live containers by address, rebuilt from their state on restore. */
  private readonly byIp = new Map<string, string>();
  constructor(def: LifecycleDef, store?: AnalyticsStore) {
    super(def, store);
    this.buckets = new IntervalBuckets(def.intervalMs);
    this.ctrs = new StateTable<ContainerState>(def.mode === 'short_lived' ? def.limits.entities : 0, (id, c) => {
      for (const ip of c.ips ?? []) if (this.byIp.get(ip) === id) this.byIp.delete(ip);
      this.ending.delete(id);
    });
    this.hosts = new StateTable<HostState>(def.mode === 'churn' ? def.limits.entities : 0);
    this.hostCounters = new StateTable<{ v: number; t: number }>(def.mode === 'churn' ? def.limits.entities * 50 : 0);
    Object.assign(this.counters, {
      containers_decided: 0,
      short_lived: 0,
      lifetime_unknown: 0,
      expired: 0,
      intervals_closed: 0,
      suppressed_warmup: 0,
      suppressed_learning: 0,
      suppressed_realert: 0,
    });
  }

  private inputOf(ev: StowawayEvent): { kind: 'lifecycle' } | { kind: 'egress'; i: number } | { kind: 'tool' } | undefined {
    const d = this.def;
    if (logsourceMatches(d.lifecycle.logsource, ev) && whereMatches(d.where, ev)) return { kind: 'lifecycle' };
    for (let i = 0; i < d.egress.length; i++) {
      const e = d.egress[i]!;
      if (logsourceMatches(e.logsource, ev) && whereMatches(e.where, ev)) return { kind: 'egress', i };
    }
    if (d.mode === 'short_lived' && d.tools && logsourceMatches(d.tools.logsource, ev)) return { kind: 'tool' };
    return undefined;
  }

  protected override routes(ev: StowawayEvent): boolean {
    return this.inputOf(ev) !== undefined;
  }

  protected onEvent(ev: StowawayEvent, t: number, _out: Finding[]): void {
    if (this.def.mode === 'churn') this.onChurnEvent(ev, t);
    else this.onContainerEvent(ev, t);
  }

  // ---- short-lived containers ----

  private onContainerEvent(ev: StowawayEvent, t: number): void {
    const d = this.def;
    const input = this.inputOf(ev)!;
    let id = ev.container?.id;
    if ((typeof id !== 'string' || id === '') && input.kind === 'egress' && typeof ev.source?.ip === 'string') id = this.byIp.get(ev.source.ip);
    if (typeof id !== 'string' || id === '') {
      this.counters.unattributed!++;
      return;
    }
    // Only the listed tools matter among process events; the others leave no state behind.
    const tool = input.kind === 'tool' && d.tools ? toolMatch(ev, d.tools.names) : undefined;
    if (input.kind === 'tool' && !tool) return;
    let c = this.ctrs.peek(id);
    if (c?.ended !== undefined && t > c.ended + d.latenessMs && input.kind !== 'lifecycle') {
      this.counters.late!++;
      return;
    }
    c ??= { egress: d.egress.map(() => 0), totals: d.egress.map(() => null), tools: [], evidence: [], last: t };
    c.last = Math.max(c.last, t);
    c.name ??= ev.container?.name;
    c.image ??= ev.container?.image?.name;
    c.host ??= ev.host?.name;
    if (input.kind === 'lifecycle') {
      const action = lifecycleAction(ev);
      if (typeof ev.container?.auto_remove === 'boolean') c.autoRemove = ev.container.auto_remove;
      const ips = containerIps(ev);
      if (ips.length && c.ended === undefined) {
        c.ips = ips;
        for (const ip of ips) this.byIp.set(ip, id);
      }
      if (action === 'create') c.created = t;
      else if (action === 'start') c.started ??= t;
      else if (action === 'die' || action === 'destroy') {
        if (typeof ev.container?.lifetime_s === 'number') c.lifetimeS = ev.container.lifetime_s;
        if (c.ended === undefined) {
          c.ended = t;
          c.endEvent = ev;
          this.ending.add(id);
        }
      }
    } else if (input.kind === 'egress') {
      const inc = this.egressIncrement(d.egress[input.i]!, ev, t, c.totals, input.i, c.created !== undefined || c.started !== undefined);
      if (inc !== undefined && inc > 0) {
        c.egress[input.i]! += inc;
        this.keepEvidence(c, ev, false);
      }
    } else if (tool) {
      if (!c.tools.includes(tool)) c.tools.push(tool);
      this.keepEvidence(c, ev, true);
    }
    this.ctrs.touch(id, c);
  }

  /** Tool events are kept first; the newest egress event replaces the previous one. */
  private keepEvidence(c: ContainerState, ev: StowawayEvent, isTool: boolean): void {
    if (!isTool) {
      const i = c.evidence.findIndex((e) => !e.process);
      if (i >= 0) c.evidence.splice(i, 1);
    }
    if (c.evidence.length < MAX_EVIDENCE) c.evidence.push(ev);
  }

  private egressIncrement(
    input: InputDef,
    ev: StowawayEvent,
    t: number,
    totals: Array<{ v: number; t: number } | null>,
    i: number,
    countFirst: boolean,
  ): number | undefined {
    const v = input.field ? numberAt(ev, input.field) : undefined;
    if (v === undefined) return undefined;
    if (!input.counter) return v;
    const prev = totals[i];
    if (prev && t < prev.t) return undefined;
    totals[i] = { v, t };
    // A container we saw being created started its counter at zero in our sight.
    if (!prev) return countFirst ? v : 0;
    return v >= prev.v ? v - prev.v : v;
  }

  private decide(id: string, c: ContainerState): Finding | undefined {
    const d = this.def;
    this.counters.containers_decided!++;
    const born = c.created ?? c.started;
    const lifetimeMs = c.lifetimeS !== undefined ? c.lifetimeS * 1000 : born !== undefined ? c.ended! - born : undefined;
    if (lifetimeMs === undefined) {
      this.counters.lifetime_unknown!++;
      return undefined;
    }
    const shortLived = lifetimeMs <= d.shortLived.maxLifetimeMs || (c.autoRemove === true && lifetimeMs <= d.shortLived.autoRemoveMaxLifetimeMs);
    if (!shortLived) return undefined;
    this.counters.short_lived!++;
    const egress = c.egress.reduce((a, b) => a + b, 0);
    const fired: string[] = [];
    if (d.trigger.egressBytes !== undefined && egress >= d.trigger.egressBytes) fired.push('egress');
    if (d.trigger.tools && c.tools.length > 0) fired.push('tools');
    if (fired.length === 0 || d.learning) return undefined;
    const container = { id, ...(c.name && { name: c.name }), ...(c.image && { image: c.image }) };
    const events = [...c.evidence, ...(c.endEvent ? [c.endEvent] : [])];
    return {
      rule: this.ruleMeta(),
      time: iso(c.ended!),
      events,
      group: { 'container.id': id },
      details: {
        analytic: 'lifecycle',
        mode: 'short_lived',
        entity: { 'container.id': id },
        container,
        host: c.host ?? null,
        lifetime_s: lifetimeMs / 1000,
        auto_remove: c.autoRemove ?? null,
        created: born !== undefined ? iso(born) : null,
        ended: iso(c.ended!),
        egress_bytes: egress,
        egress_by_input: Object.fromEntries(d.egress.map((e, i) => [inputName(e), c.egress[i]])),
        tools: c.tools,
        trigger: fired,
        threshold: {
          max_lifetime: formatDuration(d.shortLived.maxLifetimeMs),
          auto_remove_max_lifetime: formatDuration(d.shortLived.autoRemoveMaxLifetimeMs),
          egress_bytes: d.trigger.egressBytes ?? null,
        },
        reason: `container ${c.name ?? id.slice(0, 12)} (${c.image ?? 'unknown image'}) lived ${Math.round(lifetimeMs / 1000)} s${c.autoRemove ? ' with --rm' : ''} and ${[
          fired.includes('egress') ? `sent ${egress} bytes out (threshold ${d.trigger.egressBytes})` : '',
          fired.includes('tools') ? `ran ${c.tools.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' and ')}`,
      },
    };
  }

  // ---- churn on a host ----

  private onChurnEvent(ev: StowawayEvent, t: number): void {
    const d = this.def;
    const ent = this.entityOf(ev, d.entity);
    if (!ent) return;
    const bucket = this.buckets.bucketOf(t);
    const key = joinKey(ent);
    const h = this.hosts.peek(key) ?? { series: newSeries(), churn: {} };
    if (this.buckets.isClosed(bucket) || (h.series.lastBucket !== null && bucket <= h.series.lastBucket)) {
      this.counters.late!++;
      return;
    }
    const input = this.inputOf(ev)!;
    if (input.kind === 'lifecycle') {
      const action = lifecycleAction(ev);
      // A removed container's byte counters will not be read again.
      if ((action === 'destroy' || action === 'die') && typeof ev.container?.id === 'string') {
        for (let i = 0; i < d.egress.length; i++) this.hostCounters.delete(`${i}\u001f${ev.container.id}`);
      }
      if (!action || !d.churn.actions.includes(action)) return;
      const cur = h.churn[bucket] ?? { n: 0, ev, actions: {} };
      cur.n++;
      cur.ev = ev;
      cur.actions[action] = (cur.actions[action] ?? 0) + 1;
      h.churn[bucket] = cur;
    } else if (input.kind === 'egress') {
      const e = d.egress[input.i]!;
      const v = e.field ? numberAt(ev, e.field) : undefined;
      if (v === undefined) return;
      let inc = v;
      if (e.counter) {
        const cid = ev.container?.id;
        if (typeof cid !== 'string') {
          this.counters.unattributed!++;
          return;
        }
        const ck = `${input.i}\u001f${cid}`;
        const prev = this.hostCounters.peek(ck);
        if (prev && t < prev.t) return;
        this.hostCounters.touch(ck, { v, t });
        inc = !prev ? 0 : v >= prev.v ? v - prev.v : v;
      }
      h.series.open[bucket] = addToAcc(h.series.open[bucket], inc, undefined, t, ev);
    } else return;
    this.hosts.touch(key, h);
    this.buckets.mark(bucket, key);
  }

  protected closeUpTo(t: number, out: Finding[]): void {
    if (this.def.mode === 'churn') {
      this.closeChurn(t, out);
      return;
    }
    const d = this.def;
    const decided: string[] = [];
    for (const id of this.ending) {
      const c = this.ctrs.peek(id);
      if (!c) this.ending.delete(id);
      else if (c.ended! <= t) decided.push(id);
    }
    decided.sort((a, b) => this.ctrs.peek(a)!.ended! - this.ctrs.peek(b)!.ended! || (a < b ? -1 : 1));
    for (const id of decided) {
      const f = this.decide(id, this.ctrs.peek(id)!);
      this.forget(id);
      if (f) out.push(f);
    }
    // Touch order follows event time closely enough that the idle ones are at the front.
    const idle: string[] = [];
    for (const [id, c] of this.ctrs.entries()) {
      if (c.last >= t - d.limits.idleMs) break;
      if (c.ended === undefined) idle.push(id);
    }
    for (const id of idle) {
      this.forget(id);
      this.counters.expired!++;
    }
  }

  private forget(id: string): void {
    for (const ip of this.ctrs.peek(id)?.ips ?? []) if (this.byIp.get(ip) === id) this.byIp.delete(ip);
    this.ctrs.delete(id);
    this.ending.delete(id);
  }

  private closeChurn(t: number, out: Finding[]): void {
    const d = this.def;
    for (const [b, keys] of this.buckets.closeUpTo(t)) {
      for (const key of keys) {
        const h = this.hosts.peek(key);
        if (!h) continue;
        const acc: Acc | undefined = h.series.open[b];
        const churn = h.churn[b];
        if (!acc && !churn) continue;
        delete h.series.open[b];
        delete h.churn[b];
        this.hosts.markDirty(key);
        this.counters.intervals_closed!++;
        const samples = h.series.history.length;
        const res = closeInterval(h.series, b, acc?.sum ?? 0, d.egressBaseline, d.learning);
        if (res.suppressed) this.counters[`suppressed_${res.suppressed}`]!++;
        if (!churn || churn.n < d.churn.minEvents || !res.judgement?.anomalous || res.suppressed) continue;
        const j = res.judgement;
        const entity = keyObject(d.entity, key);
        const start = b * d.intervalMs;
        const iv = formatDuration(d.intervalMs);
        out.push({
          rule: this.ruleMeta(),
          time: iso(Math.max(churn.ev ? Date.parse(churn.ev['@timestamp']) : 0, acc?.last ?? 0)),
          events: [churn.ev, ...(acc ? [acc.ev] : [])],
          group: entity,
          details: {
            analytic: 'lifecycle',
            mode: 'churn',
            entity,
            churn: { events: churn.n, by_action: churn.actions, min_events: d.churn.minEvents },
            signal: 'sum(egress bytes)',
            observed: res.observed,
            baseline: { median: j.median, mad: j.mad, spread: j.spread, samples, method: 'median/MAD' },
            threshold: { value: j.threshold, ...d.egressBaseline.threshold, floor: d.egressBaseline.floor },
            window: { interval: iv, start: iso(start), end: iso(start + d.intervalMs), baseline_intervals: samples },
            reason: `${Object.values(entity).join('/')}: ${churn.n} container lifecycle events in ${iv} while egress was ${res.observed} bytes against a baseline median of ${j.median} (threshold ${j.threshold})`,
          },
        });
      }
    }
  }

  protected tables() {
    return { c: this.ctrs, h: this.hosts, k: this.hostCounters } as Record<string, StateTable<unknown>>;
  }

  protected fingerprintParts(): unknown {
    const d = this.def;
    return { mode: d.mode, egress: d.egress, interval: d.mode === 'churn' ? d.intervalMs : undefined };
  }

  protected metaState(): Record<string, unknown> {
    return this.buckets.save();
  }

  protected restoreMeta(meta: Record<string, unknown>): void {
    this.buckets.restore(meta);
  }

  protected restoreRow(table: string, value: unknown): unknown {
    if (table === 'h') {
      for (const acc of Object.values((value as HostState).series.open)) if (acc.max === null) acc.max = -Infinity;
    }
    return value;
  }

  override restore() {
    const diags = super.restore();
    for (const [id, c] of this.ctrs.entries()) {
      if (c.ended !== undefined) this.ending.add(id);
      for (const ip of c.ips ?? []) this.byIp.set(ip, id);
    }
    for (const [key, h] of this.hosts.entries()) {
      for (const b of new Set([...Object.keys(h.series.open), ...Object.keys(h.churn)])) {
        this.buckets.mark(Number(b), key);
      }
    }
    return diags;
  }

  view(): AnalyticView {
    const ents: Array<Record<string, unknown>> = [];
    if (this.def.mode === 'churn') {
      for (const [key, h] of this.hosts.entries()) {
        ents.push({
          entity: keyObject(this.def.entity, key),
          samples: h.series.history.length,
          last_interval: h.series.lastBucket !== null ? iso(h.series.lastBucket * this.def.intervalMs) : null,
        });
      }
    } else {
      for (const [id, c] of this.ctrs.entries()) {
        ents.push({
          entity: { 'container.id': id },
          image: c.image ?? null,
          created: c.created !== undefined ? iso(c.created) : null,
          egress_bytes: c.egress.reduce((a, b) => a + b, 0),
          tools: c.tools,
        });
      }
    }
    return { id: this.def.id, title: this.def.title, type: this.def.type, entities: ents, stats: this.stats() };
  }
}

function inputName(e: InputDef): string {
  const ls = [e.logsource.product, e.logsource.category, e.logsource.service].filter(Boolean).join('/');
  return `${ls}:${e.field ?? 'count'}`;
}
