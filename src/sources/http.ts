// A small HTTP(S) receiver for sources that push: the Kubernetes audit webhook backend
// and Falco's http_output. A receiver is an open door into the detector, so it is built
// for a hostile client (docs/security.md): loopback unless a token or client
// certificates guard it, the token compared in constant time, the body bounded before and
// while it is read, its JSON shape bounded before it is parsed, items and diagnostics
// bounded per request, event times outside the receiver's clock skew clamped, and the
// answer given only once the events are handed on.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LiveSource, SourceRecord, SourceStats } from './types.js';
import type { StowawayEvent } from '../model/event.js';
import { diag } from './util.js';
import { JsonScanner, type JsonLimits } from './json-limits.js';

export interface HttpReceiverOptions {
  port: number;
  /** Default 127.0.0.1. Any other address needs `token` or client certificates (`tls.ca`). */
  host?: string;
  /** Requests must carry `Authorization: Bearer <token>`. An empty token is refused. */
  token?: string;
  /** With `ca`, clients must present a certificate signed by it (mutual TLS). */
  tls?: { cert: string; key: string; ca?: string };
  /** Default 32 MiB: the API server batches up to thousands of events per POST. */
  maxBodyBytes?: number;
  /** Events taken from one request; the rest are counted as dropped. Default 10,000. */
  maxItems?: number;
  /** Diagnostics emitted per request (the first ones, then one summary). Default 20. */
  maxDiagnostics?: number;
  /** Simultaneous connections. Default 64. */
  maxConnections?: number;
  /** Nesting and container limits of a body, checked while it streams in. */
  jsonLimits?: JsonLimits;
  /** Event time later than the receiver's clock by more than this is clamped to it. Default 5 min. */
  maxFutureSkewMs?: number;
  /** Event time earlier than the receiver's clock by more than this is clamped to it. Default 24 h. */
  maxPastSkewMs?: number;
  path?: string;
  /**
   * Resolves once the events emitted for a request are durably handed on (committed by the
   * alert path); the request is answered after it, 503 when it rejects, so the sender retries.
   */
  handedOn?: () => Promise<void>;
  /** The receiver's clock (tests). */
  now?: () => number;
}

export interface ReceiverStats extends SourceStats {
  requests: number;
  refused_requests: number;
  clamped: number;
}

/** How long a refused request's remaining body is drained after the answer before the connection is cut. */
const LINGER_MS = 2000;

export const RECEIVER_DEFAULTS = {
  host: '127.0.0.1',
  maxBodyBytes: 32 * 1024 * 1024,
  maxItems: 10_000,
  maxDiagnostics: 20,
  maxConnections: 64,
  maxFutureSkewMs: 5 * 60_000,
  maxPastSkewMs: 24 * 3_600_000,
} as const;

const LOOPBACK_V4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A literal loopback address (not a name that could resolve elsewhere, except `localhost`). */
export function isLoopbackAddress(host: string): boolean {
  if (host === '::1' || host === 'localhost' || host === '::ffff:127.0.0.1') return true;
  const m = LOOPBACK_V4.exec(host);
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

/** Constant-time comparison of a presented secret with the configured one. */
export function sameSecret(given: string, expected: string): boolean {
  // Hashing first makes both sides the same length, so the comparison time says nothing about the length either.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Why a receiver configuration is unsafe or broken, or undefined when it is fine. */
export function receiverConfigError(name: string, o: HttpReceiverOptions): string | undefined {
  if (o.token !== undefined && o.token.trim() === '') return `${name}: the token is empty; give a real token or none`;
  if (o.tls && (!o.tls.cert || !o.tls.key)) return `${name}: TLS needs both a certificate and a key`;
  const host = o.host ?? RECEIVER_DEFAULTS.host;
  if (!isLoopbackAddress(host) && !o.token && !o.tls?.ca) {
    return `${name}: refusing to listen on ${host} without a token or client certificates: anyone who reaches the port could feed or silence detection (set a token, or listen on 127.0.0.1)`;
  }
  return undefined;
}

/** Body text to records; origin names the endpoint; at most maxItems events are worth making. */
type Parse = (body: string, origin: string, maxItems: number) => SourceRecord[];

/** Receivers take at most this many objects and arrays per body (10,000 events of ~40 each fit). */
export const RECEIVER_JSON_LIMITS: JsonLimits = { maxDepth: 100, maxContainers: 500_000 };

export class HttpReceiver implements LiveSource {
  private server?: Server;
  private clampedNow = 0;
  private readonly st: ReceiverStats = { events: 0, errors: 0, dropped: 0, unattributed: 0, requests: 0, refused_requests: 0, clamped: 0 };
  private readonly limits: Required<
    Pick<HttpReceiverOptions, 'maxBodyBytes' | 'maxItems' | 'maxDiagnostics' | 'maxConnections' | 'maxFutureSkewMs' | 'maxPastSkewMs'>
  >;

  constructor(
    readonly name: string,
    private readonly opts: HttpReceiverOptions,
    private readonly parse: Parse,
  ) {
    this.limits = {
      maxBodyBytes: opts.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes,
      maxItems: opts.maxItems ?? RECEIVER_DEFAULTS.maxItems,
      maxDiagnostics: opts.maxDiagnostics ?? RECEIVER_DEFAULTS.maxDiagnostics,
      maxConnections: opts.maxConnections ?? RECEIVER_DEFAULTS.maxConnections,
      maxFutureSkewMs: opts.maxFutureSkewMs ?? RECEIVER_DEFAULTS.maxFutureSkewMs,
      maxPastSkewMs: opts.maxPastSkewMs ?? RECEIVER_DEFAULTS.maxPastSkewMs,
    };
  }

  get requests(): number {
    return this.st.requests;
  }

  async start(emit: (r: SourceRecord) => void): Promise<{ started: boolean; reason?: string }> {
    const bad = receiverConfigError(this.name, this.opts);
    if (bad) return { started: false, reason: bad };
    const host = this.opts.host ?? RECEIVER_DEFAULTS.host;
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res, emit);
    try {
      const tls = this.opts.tls;
      this.server = tls
        ? createHttps(
            {
              cert: readFileSync(tls.cert),
              key: readFileSync(tls.key),
              ca: tls.ca ? readFileSync(tls.ca) : undefined,
              requestCert: !!tls.ca,
              rejectUnauthorized: !!tls.ca,
            },
            handler,
          )
        : createHttp(handler);
    } catch (e) {
      return { started: false, reason: `TLS setup failed: ${(e as Error).message}` };
    }
    const server = this.server;
    // A slow or idle client must not hold a connection slot for long.
    server.maxConnections = this.limits.maxConnections;
    server.headersTimeout = 10_000;
    server.requestTimeout = 60_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 100;
    return new Promise((resolve) => {
      server.once('error', (e) => resolve({ started: false, reason: `cannot listen on ${host}:${this.opts.port}: ${e.message}` }));
      server.listen(this.opts.port, host, () => resolve({ started: true }));
    });
  }

  /** The bound address (port 0 picks a free one). */
  address(): AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse, emit: (r: SourceRecord) => void): void {
    this.st.requests++;
    const reply = (code: number, text: string, close = false) => {
      if (res.headersSent) return;
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (close) headers.connection = 'close';
      res.writeHead(code, headers);
      res.end(text + '\n');
    };
    const refuse = (code: number, text: string, d?: { code: string; message: string; severity?: 'warning' | 'error' }) => {
      this.st.refused_requests++;
      if (d) {
        this.st.errors++;
        emit({ diagnostic: diag(this.name, d.code, d.message, this.name, d.severity ?? 'error') });
      }
      // The rest of the body is drained, not kept, and the connection closes after the answer.
      // Closing at once with unread bytes sends a reset that can overtake the answer (the sender
      // then never learns why): half-close first, discard what still comes for a moment, then cut.
      reply(code, text, true);
      req.resume();
      res.once('finish', () => {
        req.socket.end();
        setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
      });
    };
    if (req.method !== 'POST') {
      refuse(405, 'POST only');
      return;
    }
    if (this.opts.path && (req.url ?? '/').split('?')[0] !== this.opts.path) {
      refuse(404, 'unknown path');
      return;
    }
    if (this.opts.token) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!sameSecret(given, this.opts.token)) {
        refuse(401, 'unauthorized', {
          code: 'unauthorized',
          severity: 'warning',
          message: `request from ${req.socket.remoteAddress} without the bearer token was refused`,
        });
        return;
      }
    }
    const max = this.limits.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      this.st.dropped++;
      refuse(413, 'body too large', {
        code: 'body-too-large',
        message: `request body of ${declared} bytes (Content-Length) is over the ${max}-byte limit; not read`,
      });
      return;
    }
    const scanner = new JsonScanner(this.opts.jsonLimits ?? RECEIVER_JSON_LIMITS);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stopReading = (code: number, text: string, d: { code: string; message: string }) => {
      done = true;
      chunks.length = 0;
      this.st.dropped++;
      refuse(code, text, d);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        stopReading(413, 'body too large', { code: 'body-too-large', message: `request body over ${max} bytes dropped` });
        return;
      }
      const over = scanner.pushBytes(c);
      if (over) {
        stopReading(413, `body refused: ${over}`, { code: 'body-too-complex', message: `request body refused while reading: ${over}` });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const origin = `${this.name}:${req.socket.remoteAddress ?? '?'}`;
      let records: SourceRecord[];
      try {
        records = this.parse(Buffer.concat(chunks).toString('utf8'), origin, this.limits.maxItems);
      } catch (e) {
        records = [{ diagnostic: diag(this.name, 'parse-error', `body could not be parsed: ${(e as Error).message}`, origin) }];
      }
      chunks.length = 0;
      let events = 0;
      let diags = 0;
      let extraItems = 0;
      let extraDiags = 0;
      const shown: string[] = [];
      const now = (this.opts.now ?? Date.now)();
      this.clampedNow = 0;
      for (const r of records) {
        if ('event' in r) {
          if (events >= this.limits.maxItems) {
            extraItems++;
            continue;
          }
          events++;
          this.st.events++;
          emit({ event: this.clamp(r.event, now) });
          continue;
        }
        this.st.errors++;
        if (diags < this.limits.maxDiagnostics) {
          diags++;
          shown.push(r.diagnostic.message);
          emit(r);
        } else extraDiags++;
      }
      if (extraItems) {
        this.st.dropped += extraItems;
        emit({ diagnostic: diag(this.name, 'too-many-items', `${extraItems} events over the ${this.limits.maxItems}-per-request limit dropped`, origin) });
      }
      if (this.clampedNow) {
        emit({
          diagnostic: diag(
            this.name,
            'clock-skew',
            `${this.clampedNow} events dated outside the receiver's clock (more than ${this.limits.maxFutureSkewMs / 1000} s ahead or ${this.limits.maxPastSkewMs / 1000} s behind) were stamped with the receiver's time; the given time is kept in stowaway.reported_time`,
            origin,
            'warning',
          ),
        });
      }
      if (extraDiags)
        emit({
          diagnostic: diag(this.name, 'more-diagnostics', `${extraDiags} more problems in this request (first ${this.limits.maxDiagnostics} reported)`, origin),
        });
      if (extraDiags) shown.push(`... and ${extraDiags} more`);
      if (events === 0 && records.length > 0) {
        reply(400, shown.join('; ').slice(0, 4096));
        return;
      }
      const answer = () => reply(200, extraItems ? `ok (${extraItems} events over the per-request limit dropped)` : 'ok');
      if (!this.opts.handedOn || events === 0) {
        answer();
        return;
      }
      this.opts.handedOn().then(answer, (e: unknown) => {
        emit({
          diagnostic: diag(
            this.name,
            'not-handed-on',
            `events were received but not committed: ${(e as Error).message}; answered 503 so the sender retries`,
            origin,
          ),
        });
        reply(503, 'not committed; retry');
      });
    });
    req.on('error', () => {
      done = true;
      reply(400, 'bad request');
    });
  }

  /** An event time outside the receiver's clock skew is clamped to now; the given time is kept. */
  private clamp(ev: StowawayEvent, now: number): StowawayEvent {
    const t = Date.parse(ev['@timestamp']);
    if (Number.isFinite(t) && t - now <= this.limits.maxFutureSkewMs && now - t <= this.limits.maxPastSkewMs) return ev;
    this.st.clamped++;
    this.clampedNow++;
    return { ...ev, '@timestamp': new Date(now).toISOString(), stowaway: { ...ev.stowaway, reported_time: ev['@timestamp'] } };
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections?.();
    });
  }

  stats(): ReceiverStats {
    return { ...this.st };
  }
}
