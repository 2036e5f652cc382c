// The triage page and its JSON API on node:http. Loopback by default; any other bind
// address requires a token (header, bearer, or `?token=` once, which sets a cookie).
//
// Concerns live beside this file: access.ts (loopback and token), static.ts (the page's files),
// read-routes.ts (the read API), alert-actions.ts (changes to alerts), stream.ts (live updates).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Store } from '../sinks/store/index.js';
import type { CoverageMatrix } from './coverage.js';
import type { Responder } from '../respond/index.js';
import { alertActionRoute } from './alert-actions.js';
import { send } from './io.js';
import { isLoopbackAddress } from '../sources/http.js';
import { admit } from './access.js';
import { staticFiles } from './static.js';
import { readRoute } from './read-routes.js';
import { revisionStream } from './stream.js';

export { queryFromParams } from './read-routes.js';

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

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  // An empty token would be "no token" while the banner says one is required.
  if (opts.token !== undefined && opts.token.trim() === '')
    return Promise.reject(new Error('the page token is empty: give a real token (--token or STOWAWAY_TOKEN) or none'));
  const token = opts.token ?? (loopback ? undefined : randomBytes(18).toString('base64url'));
  const { store } = opts;
  const exceptionsFile = opts.exceptionsFile ?? (store.path === ':memory:' ? undefined : join(dirname(store.path), 'exceptions.yaml'));
  const stream = revisionStream(store, opts.pollMs ?? 1000);
  const serveStatic = staticFiles(opts.webDir ?? defaultWebDir());
  const reads = { store, coverage: opts.coverage, health: opts.health, responder: opts.responder, stream };
  const actions = { store, responder: opts.responder, exceptionsFile };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!admit({ loopback, token }, req, res, url)) return;
    const path = url.pathname;
    if (serveStatic(req.method, path, res)) return;
    if (readRoute(reads, req, res, url)) return;
    if (await alertActionRoute(actions, req, res, path)) return;
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
            stream.close();
            server.close(() => r());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}
