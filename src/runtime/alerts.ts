// The alert path of a run: exceptions from the data dir and the user's files, dedup and rate
// limit, the outputs, over the store. Every command that raises alerts builds it here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { Store } from '../sinks/store/index.js';
import { createOutputs, type Output, type OutputOptions } from '../sinks/index.js';
import { createAlertPipeline, type AlertPipeline } from '../alerts/pipeline.js';
import { loadExceptions, type AlertException } from '../alerts/exceptions.js';
import type { Content } from './content.js';

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

/** Exceptions' lint goes to `report`; errors refuse the bad entries only. */
export function createAlertPath(
  o: AlertPathOptions,
  store: Store | undefined,
  content: Pick<Content, 'catalog'>,
  report: (d: Diagnostic) => void,
): { pipeline: AlertPipeline; outputs: Output[]; exceptions: AlertException[] } {
  const exceptions: AlertException[] = [];
  for (const f of exceptionFiles(o.dataDir, o.exceptions)) {
    const set = loadExceptions(f);
    for (const d of set.diagnostics) report(d);
    exceptions.push(...set.exceptions);
  }
  const outputs = createOutputs(o);
  const pipeline = createAlertPipeline({
    ...(store ? { store } : {}),
    outputs,
    catalog: content.catalog,
    exceptions,
    ...(o.dedupWindowS !== undefined ? { dedupWindowS: o.dedupWindowS } : {}),
    ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
    ...(o.newId ? { newId: o.newId } : {}),
  });
  return { pipeline, outputs, exceptions };
}
