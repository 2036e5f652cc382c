// `stowaway serve`: the triage page and JSON API over the alert store.
import { errorMessage } from '../model/errors.js';
import type { Command } from 'commander';
import { openStore, STORE_FILE } from '../sinks/store/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadContent } from '../runtime/index.js';
import { pageOptions, responseOption, type PageOptions } from './options.js';
import { responderFor } from './responder.js';
import { coverageFrom, openPage, untilSignal } from './page.js';

export function register(program: Command): void {
  responseOption(
    pageOptions(
      program
        .command('serve')
        .description(
          'Serve the triage page and its JSON API over the alert store: alert list with filters and live updates, alert view with response steps and status buttons, containment buttons under the response policy, ATT&CK coverage, source health.',
        ),
    ),
  )
    .option('--content <dir>', 'content directory whose coverage the page shows (default: the built-in content)')
    .option('--create', 'start with an empty store when --data-dir has none (otherwise a mistyped path is refused)')
    .action(async (o: PageOptions & { content?: string; create?: boolean }) => {
      // Serving an empty store created by a typo would show "no alerts" where there are many.
      if (!o.create && !existsSync(join(o.dataDir, STORE_FILE))) {
        process.stderr.write(`stowaway: no alert store at ${join(o.dataDir, STORE_FILE)}; check --data-dir, or give --create to serve a new empty store\n`);
        process.exitCode = 2;
        return;
      }
      const store = openStore(o.dataDir);
      const content = await loadContent({ contentDir: o.content, analytics: false }).catch((e: unknown) => {
        process.stderr.write(`stowaway: content not loaded, coverage view will be empty: ${errorMessage(e)}\n`);
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
