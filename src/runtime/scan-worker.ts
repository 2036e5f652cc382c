// A scan worker thread: starts before the rules are known (its modules load while the main
// thread starts), loads the same rules when told, then matches blocks of input lines
// (scan-block.ts) for the main thread to merge in input order (see scan-workers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadEngineRules } from '../engine/rules.js';
import { BlockMatcher } from './scan-block.js';
import { correlationMembers, type BatchJob, type WorkerLoad, type WorkerReady } from './scan-workers.js';

const port = parentPort!;
const { maxLine } = workerData as { maxLine: number };

let matcher: BlockMatcher | undefined;

port.on('message', (m: WorkerLoad | BatchJob) => {
  if ('load' in m) {
    // A load that fails is left unhandled: the thread ends with it, and the pool reports why.
    void load(m.load).then((r) => port.postMessage(r));
    return;
  }
  if (!matcher) throw new Error('a scan worker was given input before its rules');
  void matcher.run(m).then(
    (r) => {
      // The input bytes go back too: the main thread reads the next block into them.
      if (m.bytes) r.input = m.bytes.buffer as ArrayBuffer;
      const moved = [r.kinds.buffer, r.times.buffer, r.ends.buffer, r.counts.buffer, r.out.buffer, r.byRule.buffer] as ArrayBuffer[];
      port.postMessage(r, r.input ? [...moved, r.input] : moved);
    },
    (e: unknown) => port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});

async function load({ sources, write }: WorkerLoad['load']): Promise<WorkerReady> {
  const rules = await loadEngineRules(sources);
  const members = correlationMembers(rules.ruleset, rules.correlations);
  matcher = new BlockMatcher(rules.ruleset, members, write, maxLine);
  return { ready: true, ruleIds: rules.ruleset.rules().map((r) => r.id), members };
}
