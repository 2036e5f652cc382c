// The read-only API the page draws from: alert pages, groups, charts, facets, coverage, health,
// metrics and the response mode. Changing an alert is alert-actions.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertStatus, Level } from '../model/alert.js';
import { LEVELS } from '../model/alert.js';
import { ALERT_GROUPS, ALERT_SORTS, STATUSES, type AlertGroupBy, type AlertQuery, type AlertSort, type Store } from '../sinks/store/index.js';
import type { CoverageMatrix } from './coverage.js';
import type { Responder } from '../respond/index.js';
import type { HealthSnapshot } from './health.js';
import { prometheusText } from './metrics.js';
import { send } from './io.js';
import type { RevisionStream } from './stream.js';

export interface ReadContext {
  store: Store;
  coverage?: (() => CoverageMatrix) | undefined;
  health?: (() => unknown) | undefined;
  responder?: Responder | undefined;
  stream: RevisionStream;
}

function list<T extends string>(v: string | null, allowed: readonly T[]): T[] | undefined {
  if (!v) return undefined;
  const parts = v.split(',').filter((x): x is T => (allowed as readonly string[]).includes(x));
  return parts.length ? parts : undefined;
}

export function queryFromParams(p: URLSearchParams): AlertQuery {
  const q: AlertQuery = {};
  const str = (k: string): string | undefined => p.get(k)?.trim() || undefined;
  if (str('since')) q.since = str('since');
  if (str('until')) q.until = str('until');
  const level = list<Level>(p.get('level'), LEVELS);
  if (level) q.level = level;
  const min = str('min_level');
  if (min && (LEVELS as readonly string[]).includes(min)) q.minLevel = min as Level;
  if (str('rule')) q.rule = str('rule');
  if (str('ads')) q.strategy = str('ads');
  if (str('technique')) q.technique = str('technique');
  if (str('container')) q.container = str('container');
  if (str('host')) q.host = str('host');
  if (str('user')) q.user = str('user');
  if (str('pod')) q.pod = str('pod');
  if (str('image')) q.image = str('image');
  const sort = str('sort');
  if (sort && (ALERT_SORTS as readonly string[]).includes(sort)) q.sort = sort as AlertSort;
  if (str('cursor')) q.cursor = str('cursor');
  const status = list<AlertStatus>(p.get('status'), STATUSES);
  if (status) q.status = status;
  if (str('q')) q.text = str('q');
  const limit = Number(p.get('limit'));
  if (Number.isFinite(limit) && limit > 0) q.limit = limit;
  const offset = Number(p.get('offset'));
  if (Number.isFinite(offset) && offset > 0) q.offset = offset;
  return q;
}

/** Answers the request when it is a GET of one of these routes (true); false leaves it to the caller. */
export function readRoute(ctx: ReadContext, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (req.method !== 'GET') return false;
  const { store } = ctx;
  const path = url.pathname;
  if (path === '/api/alerts') {
    let page;
    try {
      page = store.queryAlerts(queryFromParams(url.searchParams));
    } catch (e) {
      if (!/^bad cursor/.test((e as Error).message)) throw e;
      send(res, 400, { error: (e as Error).message });
      return true;
    }
    send(res, 200, page);
    return true;
  }
  if (path === '/api/groups') {
    const by = url.searchParams.get('by') ?? 'rule';
    if (!(ALERT_GROUPS as readonly string[]).includes(by)) {
      send(res, 400, { error: `by must be one of ${ALERT_GROUPS.join(', ')}` });
      return true;
    }
    const q = queryFromParams(url.searchParams);
    send(res, 200, { by, groups: store.groupAlerts(by as AlertGroupBy, q, q.limit ?? 200) });
    return true;
  }
  if (path === '/api/stats') {
    const q = queryFromParams(url.searchParams);
    delete q.limit;
    send(res, 200, store.alertStats(q));
    return true;
  }
  if (path === '/api/facets') {
    send(res, 200, { ...store.facets(), revision: store.revision() });
    return true;
  }
  if (path === '/api/coverage') {
    // The matrix of the loaded content, and how many stored alerts each technique has (the heat).
    send(res, 200, { ...(ctx.coverage?.() ?? { tactics: [], rules: 0, techniques: 0, strategies: [] }), alerts: store.techniqueCounts() });
    return true;
  }
  if (path === '/metrics') {
    // In `serve`, the snapshot the running pipeline stored; a stale one says so by its time.
    const live = (ctx.health?.() ?? store.health().pipeline?.doc) as HealthSnapshot | undefined;
    const text = prometheusText({
      health: live && Array.isArray(live.sources) ? live : undefined,
      gaps: live?.gaps ?? [],
      store: { bytes: store.sizeBytes(), revision: store.revision(), counters: store.counters() },
    });
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
    return true;
  }
  if (path === '/api/health') {
    send(res, 200, {
      live: ctx.health ? ctx.health() : undefined,
      stored: store.health(),
      store: { path: store.path, bytes: store.sizeBytes(), revision: store.revision(), counters: store.counters() },
      now: new Date().toISOString(),
    });
    return true;
  }
  if (path === '/api/stream') {
    ctx.stream.open(req, res);
    return true;
  }
  if (path === '/api/respond') {
    const r = ctx.responder;
    send(res, 200, r ? { mode: r.mode, mode_source: r.policy.modeSource } : { mode: 'off', mode_source: 'no response policy loaded by this server' });
    return true;
  }
  return false;
}
