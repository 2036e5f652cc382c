// The triage page and its JSON API on node:http. Loopback by default; any other bind
// address requires a token (header, bearer, or `?token=` once, which sets a cookie).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AlertStatus, Level } from '../model/alert.js';
import { LEVELS } from '../model/alert.js';
import { ALERT_GROUPS, ALERT_SORTS, STATUSES, type AlertGroupBy, type AlertQuery, type AlertSort, type Store } from '../sinks/store/index.js';
import type { CoverageMatrix } from './coverage.js';
import type { Responder } from '../respond/index.js';
import { alertActionRoute } from './alert-actions.js';
import { send } from './io.js';
import { isLoopbackAddress } from '../sources/http.js';
import { prometheusText } from './metrics.js';
import type { HealthSnapshot } from './health.js';

export interface ServerOptions {
  store: Store;
  host?: string;
  port?: number;
  /** Required when `host` is not loopback; generated when missing there. */
  token?: string;
  webDir?: string;
  coverage?: () => CoverageMatrix;
  /** Live health of an in-process pipeline; without it the page shows the snapshot stored by `watch`/`start`. */
  health?: () => unknown;
  /** How often live updates look at the store's revision. */
  pollMs?: number;
  /** Containment under the response policy; without it the page shows response as off. */
  responder?: Responder;
  /** Where "add exception from this alert" writes; default `<data dir of the store>/exceptions.yaml`, the file `start` reads. */
  exceptionsFile?: string;
}

export interface RunningServer {
  server: Server;
  url: string;
  token?: string;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8478;

/** A literal loopback address or `localhost`; a name like `127.0.0.1.evil.example` is not one. */
export function isLoopback(host: string): boolean {
  return isLoopbackAddress(host);
}

/**
 * Sent with every answer: the page loads only its own files, cannot be framed (clickjacking
 * a status change) and leaks no URL to other sites.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** `web/` sits at the package root, two levels above both `src/server` and `dist/server`. */
export function defaultWebDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/dom.js': 'dom.js',
  '/detail.js': 'detail.js',
  '/charts.js': 'charts.js',
  '/coverage.js': 'coverage.js',
  '/health.js': 'health.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

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

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const h = req.headers['x-stowaway-token'];
  if (typeof h === 'string') return h;
  const q = url.searchParams.get('token');
  if (q) return q;
  const m = /(?:^|;\s*)stowaway_token=([^;]+)/.exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]!) : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  // An empty token would be "no token" while the banner says one is required.
  if (opts.token !== undefined && opts.token.trim() === '')
    return Promise.reject(new Error('the page token is empty: give a real token (--token or STOWAWAY_TOKEN) or none'));
  const token = opts.token ?? (loopback ? undefined : randomBytes(18).toString('base64url'));
  const webDir = opts.webDir ?? defaultWebDir();
  const pollMs = opts.pollMs ?? 1000;
  const { store } = opts;
  const exceptionsFile = opts.exceptionsFile ?? (store.path === ':memory:' ? undefined : join(dirname(store.path), 'exceptions.yaml'));
  const streams = new Set<ServerResponse>();

  const files = new Map<string, Buffer>();
  function staticFile(name: string): Buffer | undefined {
    // Read on each request during development would be nicer to edit; caching keeps a running page steady.
    if (!files.has(name)) {
      const p = join(webDir, name);
      if (!existsSync(p)) return undefined;
      files.set(name, readFileSync(p));
    }
    return files.get(name);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // A page on loopback must not be reachable through a rebound DNS name.
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (loopback && hostHeader && !isLoopback(hostHeader)) {
      send(res, 403, { error: 'loopback server: unexpected Host header' });
      return;
    }
    if (token) {
      const given = tokenOf(req, url);
      if (!given || !same(given, token)) {
        send(res, 401, { error: 'token required: open the URL printed by `stowaway serve`, or send Authorization: Bearer <token>' });
        return;
      }
      if (url.searchParams.get('token')) {
        res.setHeader('set-cookie', `stowaway_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
        // The token leaves the address bar (and history, and screenshots) at once: the cookie carries it from here.
        if (req.method === 'GET') {
          url.searchParams.delete('token');
          res.writeHead(303, { location: url.pathname + url.search, 'cache-control': 'no-store' });
          res.end();
          return;
        }
      }
    }
    const path = url.pathname;
    if (req.method === 'GET' && STATIC[path]) {
      const name = STATIC[path];
      const body = staticFile(name);
      if (!body) {
        send(res, 500, { error: `web page file missing: ${join(webDir, name)}` });
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[name.split('.').pop()!]!, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && path === '/api/alerts') {
      let page;
      try {
        page = store.queryAlerts(queryFromParams(url.searchParams));
      } catch (e) {
        if (!/^bad cursor/.test((e as Error).message)) throw e;
        send(res, 400, { error: (e as Error).message });
        return;
      }
      send(res, 200, page);
      return;
    }
    if (req.method === 'GET' && path === '/api/groups') {
      const by = url.searchParams.get('by') ?? 'rule';
      if (!(ALERT_GROUPS as readonly string[]).includes(by)) {
        send(res, 400, { error: `by must be one of ${ALERT_GROUPS.join(', ')}` });
        return;
      }
      const q = queryFromParams(url.searchParams);
      send(res, 200, { by, groups: store.groupAlerts(by as AlertGroupBy, q, q.limit ?? 200) });
      return;
    }
    if (req.method === 'GET' && path === '/api/stats') {
      const q = queryFromParams(url.searchParams);
      delete q.limit;
      send(res, 200, store.alertStats(q));
      return;
    }
    if (req.method === 'GET' && path === '/api/facets') {
      send(res, 200, { ...store.facets(), revision: store.revision() });
      return;
    }
    if (req.method === 'GET' && path === '/api/coverage') {
      // The matrix of the loaded content, and how many stored alerts each technique has (the heat).
      send(res, 200, { ...(opts.coverage?.() ?? { tactics: [], rules: 0, techniques: 0, strategies: [] }), alerts: store.techniqueCounts() });
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      // In `serve`, the snapshot the running pipeline stored; a stale one says so by its time.
      const live = (opts.health?.() ?? store.health().pipeline?.doc) as HealthSnapshot | undefined;
      const text = prometheusText({
        health: live && Array.isArray(live.sources) ? live : undefined,
        gaps: live?.gaps ?? [],
        store: { bytes: store.sizeBytes(), revision: store.revision(), counters: store.counters() },
      });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    if (req.method === 'GET' && path === '/api/health') {
      send(res, 200, {
        live: opts.health ? opts.health() : undefined,
        stored: store.health(),
        store: { path: store.path, bytes: store.sizeBytes(), revision: store.revision(), counters: store.counters() },
        now: new Date().toISOString(),
      });
      return;
    }
    if (req.method === 'GET' && path === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: rev\ndata: ${store.revision()}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'GET' && path === '/api/respond') {
      const r = opts.responder;
      send(res, 200, r ? { mode: r.mode, mode_source: r.policy.modeSource } : { mode: 'off', mode_source: 'no response policy loaded by this server' });
      return;
    }
    if (await alertActionRoute({ store, responder: opts.responder, exceptionsFile }, req, res, path)) return;
    const m = /^\/api\/alerts\/([^/]+)(\/status)?$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (req.method === 'GET' && !m[2]) {
        const a = store.getAlert(id);
        a ? send(res, 200, a) : send(res, 404, { error: `no alert ${id}` });
        return;
      }
    }
    if (path === '/healthz') {
      send(res, 200, { ok: true });
      return;
    }
    send(res, 404, { error: `no route ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      else res.end();
    });
  });

  let lastRev = -1;
  let quiet = 0;
  const timer = setInterval(() => {
    if (streams.size === 0) return;
    let rev: number;
    try {
      rev = store.revision();
    } catch {
      return;
    }
    // Proxies close idle streams; a comment line every ~15 s keeps them open.
    let msg: string | undefined;
    if (rev !== lastRev) msg = `event: rev\ndata: ${rev}\n\n`;
    else if (++quiet * pollMs >= 15_000) msg = `: keepalive\n\n`;
    if (!msg) return;
    quiet = 0;
    lastRev = rev;
    for (const s of streams) s.write(msg);
  }, pollMs);

  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULT_PORT);
      const shown = host.includes(':') ? `[${host}]` : host;
      const url = `http://${shown}:${port}/${token ? `?token=${token}` : ''}`;
      resolveStart({
        server,
        url,
        token,
        close: () =>
          new Promise<void>((r) => {
            clearInterval(timer);
            for (const s of streams) s.end();
            streams.clear();
            server.close(() => r());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}
