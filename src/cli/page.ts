// Serving the page from a command (`serve`, `start`, `demo`) and waiting for Ctrl-C.
import type { Store } from '../sinks/store/index.js';
import { startServer, isLoopback, type RunningServer } from '../server/http.js';
import { coverageOf, type CoverageMatrix } from '../server/coverage.js';
import type { Content } from '../runtime/index.js';
import type { PageOptions } from './options.js';
import type { Responder } from '../respond/index.js';

export async function openPage(
  o: PageOptions,
  store: Store,
  extra: { coverage?: () => CoverageMatrix; health?: () => unknown; responder?: Responder } = {},
): Promise<RunningServer> {
  const token = o.token ?? process.env.STOWAWAY_TOKEN;
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${o.port}' is not a port number`);
  const srv = await startServer({ store, host: o.host, port, token, ...extra });
  process.stderr.write(`stowaway: page at ${srv.url}${isLoopback(o.host) ? '' : '  (token required: keep this URL private)'}\n`);
  return srv;
}

export function coverageFrom(content: Pick<Content, 'rules' | 'catalog'>): () => CoverageMatrix {
  let cached: CoverageMatrix | undefined;
  return () => (cached ??= coverageOf(content.rules, content.catalog));
}

export function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.stderr.write('stowaway: stopping\n');
      void close().finally(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** What the user added to the built-in content, for the status line. */
export function userContentLine(content: Pick<Content, 'placeholderFiles'>, o: { rules?: string[]; placeholders?: string[] }): string {
  const parts: string[] = [];
  if (o.rules?.length) parts.push(`rules from ${o.rules.join(', ')}`);
  if (o.placeholders?.length) parts.push(`placeholders layered in order ${content.placeholderFiles.join(' < ')}`);
  return parts.join('; ');
}
