// First-seen (new terms): the first time an entity shows a term — a destination, an executable,
// a user — after its learning period, or the first time again after the horizon.
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { AnalyticBase, iso, type AnalyticView } from './base.js';
import { fieldValues, joinKey, keyObject } from './match.js';
import type { AnalyticsStore } from './store.js';
import { StateTable } from './table.js';
import type { FirstSeenDef } from './types.js';
import { formatDuration } from './units.js';

interface TermsState {
  first: number;
  /** Term → last seen (ms); insertion order is recency, oldest first. */
  terms: Map<string, number>;
}

export class FirstSeenAnalytic extends AnalyticBase {
  declare readonly def: FirstSeenDef;
  private readonly ents: StateTable<TermsState>;
  private globalFirst: number | null = null;

  constructor(def: FirstSeenDef, store?: AnalyticsStore) {
    super(def, store);
    this.ents = new StateTable<TermsState>(def.limits.entities);
    Object.assign(this.counters, { new_terms: 0, suppressed_learning: 0, terms_evicted: 0, expired_terms: 0, no_term: 0 });
  }

  protected onEvent(ev: StowawayEvent, t: number, out: Finding[]): void {
    const d = this.def;
    const ent = this.entityOf(ev, d.entity);
    if (!ent) return;
    const termVals = fieldValues(ev, d.terms);
    if (!termVals) {
      this.counters.no_term!++;
      return;
    }
    if (this.globalFirst === null || t < this.globalFirst) this.globalFirst = t;
    const key = joinKey(ent);
    const term = joinKey(termVals);
    const st = this.ents.peek(key) ?? { first: t, terms: new Map<string, number>() };
    if (t < st.first) st.first = t;
    const last = st.terms.get(term);
    // An event older than what we know about the term teaches nothing new.
    if (last !== undefined && t <= last) {
      this.ents.touch(key, st);
      return;
    }
    const expired = last !== undefined && t - last > d.horizonMs;
    const isNew = last === undefined || expired;
    st.terms.delete(term);
    st.terms.set(term, t);
    while (st.terms.size > d.limits.terms) {
      const oldest = st.terms.keys().next().value as string;
      st.terms.delete(oldest);
      this.counters.terms_evicted!++;
    }
    this.ents.touch(key, st);
    if (!isNew) return;
    if (expired) this.counters.expired_terms!++;
    this.counters.new_terms!++;
    const learnFrom = d.learningScope === 'global' ? this.globalFirst : st.first;
    const learningUntil = learnFrom + d.learningPeriodMs;
    if (d.learning || t < learningUntil) {
      this.counters.suppressed_learning!++;
      return;
    }
    const entity = keyObject(d.entity, key);
    const termObj = keyObject(d.terms, term);
    out.push({
      rule: this.ruleMeta(),
      time: iso(t),
      events: [ev],
      group: entity,
      details: {
        analytic: 'first_seen',
        entity,
        term: termObj,
        first_seen_entity: iso(st.first),
        known_terms: st.terms.size - 1,
        horizon: formatDuration(d.horizonMs),
        learning_until: iso(learningUntil),
        ...(expired && { last_seen: iso(last) }),
        reason: `${Object.values(entity).join('/')}: ${Object.entries(termObj)
          .map(([k, v]) => `${k}=${v}`)
          .join(
            ' ',
          )} ${expired ? `not seen for more than ${formatDuration(d.horizonMs)} (last ${iso(last)})` : `never seen before`} among ${st.terms.size - 1} known terms since ${iso(st.first)}`,
      },
    });
  }

  protected closeUpTo(): void {}

  protected tables() {
    return { e: this.ents } as Record<string, StateTable<unknown>>;
  }

  protected fingerprintParts(): unknown {
    return { terms: this.def.terms, logsource: this.def.logsource };
  }

  protected metaState(): Record<string, unknown> {
    return { globalFirst: this.globalFirst };
  }

  protected restoreMeta(meta: Record<string, unknown>): void {
    if (typeof meta.globalFirst === 'number') this.globalFirst = meta.globalFirst;
  }

  protected restoreRow(_table: string, value: unknown): unknown {
    const v = value as { first: number; terms: Array<[string, number]> };
    return { first: v.first, terms: new Map(v.terms) };
  }

  view(): AnalyticView {
    const ents: Array<Record<string, unknown>> = [];
    for (const [key, st] of this.ents.entries()) {
      ents.push({
        entity: keyObject(this.def.entity, key),
        first_seen: iso(st.first),
        terms: st.terms.size,
        sample: [...st.terms.keys()].slice(-5).map((t) => keyObject(this.def.terms, t)),
      });
    }
    return { id: this.def.id, title: this.def.title, type: this.def.type, entities: ents, stats: this.stats() };
  }
}
