// The responder a command runs with: the response policy read from the data directory (or the file
// given), its diagnostics and mode said on stderr. `start`, `serve` and `respond` share it.
import { join } from 'node:path';
import { formatDiagnostic } from '../model/diagnostic.js';
import type { Store } from '../sinks/store/index.js';
import { createResponder, policyFor, type Responder } from '../respond/index.js';
import { defaultStrategiesDir } from '../ads/index.js';

export async function responderFor(
  o: { dataDir: string; responsePolicy?: string; content?: string },
  store: Store,
  log: (s: string) => void,
): Promise<Responder> {
  const strategiesDir = o.content ? join(o.content, 'strategies') : undefined;
  const { policy, diagnostics, file } = await policyFor({
    dataDir: o.dataDir,
    ...(o.responsePolicy ? { policyFile: o.responsePolicy } : {}),
    strategiesDir: strategiesDir ?? defaultStrategiesDir(),
  });
  for (const d of diagnostics) log(formatDiagnostic(d));
  log(
    policy.mode === 'off'
      ? `response: off (${policy.modeSource === 'default' ? `no ${file}` : policy.modeSource}); containment disabled, the Docker socket is only read`
      : `response: ${policy.mode} (${policy.modeSource})${policy.mode === 'auto' ? `; automatic actions at most ${policy.autoRate.count} per ${policy.autoRate.windowS}s` : ''}`,
  );
  return createResponder({ store, policy, dataDir: o.dataDir, log });
}
