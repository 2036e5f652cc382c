// The alert path of a run: exceptions from the data dir and the user's files, dedup and rate
// limit, the outputs, over the store. Every command that raises alerts builds it here.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { Store } from '../sinks/store/index.js';
import { createOutputs, type Output, type OutputOptions } from '../sinks/index.js';
import { createAlertPipeline, type AlertPipeline } from '../alerts/pipeline.js';
import { loadExceptions, type AlertException } from '../alerts/exceptions.js';
import type { StrategyLookup } from '../alerts/build.js';

/** Default exception files: `<data-dir>/exceptions.yaml`, then the ones named with --exceptions. */
export function exceptionFiles(dataDir: string, extra: readonly string[] = []): string[] {
  const own = join(dataDir, 'exceptions.yaml');
  return [...(existsSync(own) ? [own] : []), ...extra];
}

export interface AlertPathOptions extends OutputOptions {
  dataDir: string;
  exceptions?: readonly string[];
  dedupWindowS?: number;
  rateLimit?: { perRule: number; windowS: number };
  /** The alert's id; given the finding that opens it (fleet ids are derived from it). */
  newId?: (f: Finding) => string;
}

/** How often a running pipeline looks whether an exception file changed (one stat per file). */
const EXCEPTIONS_CHECK_MS = 1000;

/**
 * The exceptions of these files, read again when one changes (an exception added from the page
 * or by hand applies to the next batch without a restart). `<data-dir>/exceptions.yaml` is
 * watched even before it exists. Lint goes to `report` on every read.
 */
export function liveExceptions(files: readonly string[], report: (d: Diagnostic) => void, nowMs: () => number = Date.now): () => readonly AlertException[] {
  let current: AlertException[] = [];
  let stamp = '';
  let checked = -Infinity;
  const stampOf = (): string =>
    files
      .map((f) => {
        try {
          const st = statSync(f);
          return `${st.mtimeMs}:${st.size}:${st.ino}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  const read = (): void => {
    current = [];
    for (const f of files) {
      if (!existsSync(f)) continue;
      const set = loadExceptions(f);
      for (const d of set.diagnostics) report(d);
      current.push(...set.exceptions);
    }
  };
  return () => {
    const t = nowMs();
    if (t - checked >= EXCEPTIONS_CHECK_MS) {
      checked = t;
      const s = stampOf();
      if (s !== stamp) {
        stamp = s;
        read();
      }
    }
    return current;
  };
}

/** Exceptions' lint goes to `report`; errors refuse the bad entries only. */
export function createAlertPath(
  o: AlertPathOptions,
  store: Store | undefined,
  content: { catalog?: StrategyLookup },
  report: (d: Diagnostic) => void,
): { pipeline: AlertPipeline; outputs: Output[]; exceptions: AlertException[] } {
  const live = liveExceptions([join(o.dataDir, 'exceptions.yaml'), ...(o.exceptions ?? [])], report);
  const exceptions = [...live()];
  const outputs = createOutputs(o);
  const pipeline = createAlertPipeline({
    ...(store ? { store } : {}),
    outputs,
    catalog: content.catalog,
    exceptions: live,
    ...(o.dedupWindowS !== undefined ? { dedupWindowS: o.dedupWindowS } : {}),
    ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
    ...(o.newId ? { newId: o.newId } : {}),
  });
  return { pipeline, outputs, exceptions };
}
