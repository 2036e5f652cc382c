// `stowaway serve`: the triage page and JSON API over the alert store.
import type { Command } from 'commander';
import { openStore, DEFAULT_DATA_DIR, type Store } from '../sinks/store/index.js';
import { startServer, DEFAULT_PORT, isLoopback, type RunningServer } from '../server/http.js';
import { coverageOf, type CoverageMatrix } from '../server/coverage.js';
import { loadContent, type Content } from '../alerts/runtime.js';
import type { Responder } from '../respond/index.js';
import { responderFor } from './respond.js';

export interface PageOptions {
  dataDir: string;
  host: string;
  port: string;
  token?: string;
  responsePolicy?: string;
}

/** The options every command that shows the page shares. */
export function pageOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'directory of the SQLite alert store', DEFAULT_DATA_DIR)
    .option('--host <addr>', 'address to bind the page to; anything but loopback requires a token', '127.0.0.1')
    .option('--port <n>', 'port of the page', String(DEFAULT_PORT))
    .option('--token <token>', 'access token (default: $STOWAWAY_TOKEN; generated when bound beyond loopback)');
}

/** The containment policy option of the commands that can act (`start`, `serve`). */
export function responseOption(cmd: Command): Command {
  return cmd.option('--response-policy <file>', 'containment policy: mode off | suggest | auto (default: <data-dir>/response.yaml; without one, off). See docs/response.md');
}

export async function openPage(o: PageOptions, store: Store, extra: { coverage?: () => CoverageMatrix; health?: () => unknown; responder?: Responder } = {}): Promise<RunningServer> {
  const token = o.token ?? process.env.STOWAWAY_TOKEN;
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${o.port}' is not a port number`);
  const srv = await startServer({ store, host: o.host, port, token, ...extra });
  process.stderr.write(`stowaway: page at ${srv.url}${isLoopback(o.host) ? '' : '  (token required: keep this URL private)'}\n`);
  return srv;
}

export function coverageFrom(content: Content): () => CoverageMatrix {
  let cached: CoverageMatrix | undefined;
  return () => (cached ??= coverageOf(content.rules, content.catalog));
}

export function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.stderr.write('stowaway: stopping\n');
      close().finally(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  responseOption(pageOptions(
    program
      .command('serve')
      .description('Serve the triage page and its JSON API over the alert store: alert list with filters and live updates, alert view with response steps and status buttons, containment buttons under the response policy, ATT&CK coverage, source health.'),
  ))
    .option('--content <dir>', 'content directory whose coverage the page shows (default: the built-in content)')
    .action(async (o: PageOptions & { content?: string }) => {
      const store = openStore(o.dataDir);
      const content = await loadContent({ contentDir: o.content, analytics: false }).catch((e: Error) => {
        process.stderr.write(`stowaway: content not loaded, coverage view will be empty: ${e.message}\n`);
        return undefined;
      });
      const responder = await responderFor(o, store, (s) => process.stderr.write(`stowaway: ${s}\n`));
      const srv = await openPage(o, store, { ...(content ? { coverage: coverageFrom(content) } : {}), responder });
      process.stderr.write(`stowaway: serving ${store.path} (${store.queryAlerts({ limit: 1 }).total} alerts); Ctrl-C stops\n`);
      await untilSignal(async () => {
        await srv.close();
        store.close();
      });
    });
}
