// A small HTTP(S) receiver for sources that push: the Kubernetes audit webhook backend
// and Falco's http_output. Bearer token, TLS and a body limit; bad bodies are answered
// 400 and reported as diagnostics, never thrown.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { LiveSource, SourceRecord, SourceStats } from './types.js';
import { diag } from './util.js';

export interface HttpReceiverOptions {
  port: number;
  host?: string;
  /** Requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  tls?: { cert: string; key: string; ca?: string };
  /** Default 32 MiB: the API server batches up to thousands of events per POST. */
  maxBodyBytes?: number;
  path?: string;
}

export class HttpReceiver implements LiveSource {
  private server?: Server;
  private readonly st: SourceStats = { events: 0, errors: 0, dropped: 0, unattributed: 0 };
  requests = 0;

  constructor(
    readonly name: string,
    private readonly opts: HttpReceiverOptions,
    /** Body text to records; origin names the endpoint. */
    private readonly parse: (body: string, origin: string) => SourceRecord[],
  ) {}

  async start(emit: (r: SourceRecord) => void): Promise<{ started: boolean; reason?: string }> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res, emit);
    try {
      this.server = this.opts.tls
        ? createHttps({ cert: readFileSync(this.opts.tls.cert), key: readFileSync(this.opts.tls.key), ca: this.opts.tls.ca ? readFileSync(this.opts.tls.ca) : undefined }, handler)
        : createHttp(handler);
    } catch (e) {
      return { started: false, reason: `TLS setup failed: ${(e as Error).message}` };
    }
    const server = this.server;
    return new Promise((resolve) => {
      server.once('error', (e) => resolve({ started: false, reason: `cannot listen on ${this.opts.host ?? '0.0.0.0'}:${this.opts.port}: ${e.message}` }));
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => resolve({ started: true }));
    });
  }

  /** The bound address (port 0 picks a free one). */
  address(): AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse, emit: (r: SourceRecord) => void): void {
    this.requests++;
    const reply = (code: number, text: string) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(text + '\n');
    };
    if (req.method !== 'POST') { reply(405, 'POST only'); return; }
    if (this.opts.path && (req.url ?? '/').split('?')[0] !== this.opts.path) { reply(404, 'unknown path'); return; }
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      this.st.errors++;
      emit({ diagnostic: diag(this.name, 'unauthorized', `request from ${req.socket.remoteAddress} without the bearer token was refused`, this.name, 'warning') });
      reply(401, 'unauthorized'); return;
    }
    const max = this.opts.maxBodyBytes ?? 32 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (over) {
        this.st.dropped++;
        emit({ diagnostic: diag(this.name, 'body-too-large', `request body over ${max} bytes dropped`, this.name) });
        reply(413, 'body too large'); return;
      }
      const origin = `${this.name}:${req.socket.remoteAddress ?? '?'}`;
      const records = this.parse(Buffer.concat(chunks).toString('utf8'), origin);
      let events = 0;
      for (const r of records) {
        if ('event' in r) {
          events++;
          this.st.events++;
        } else this.st.errors++;
        emit(r);
      }
      if (events === 0 && records.length > 0) { reply(400, records.map((r) => ('diagnostic' in r ? r.diagnostic.message : '')).join('; ')); return; }
      reply(200, 'ok');
    });
    req.on('error', () => reply(400, 'bad request'));
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections?.();
  }

  stats(): SourceStats {
    return { ...this.st };
  }
}
