// A scan worker thread: loads the same rules as the main thread, then turns batches of input
// lines into records in order — diagnostics, event times, and the events Sigma rules matched with
// their matches — for the main thread to merge in input order (see scan-workers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadEngineRules, type RuleSources } from '../engine/rules.js';
import { parserFor } from '../sources/files.js';
import { OVERLONG_LINE, type LineParser } from '../sources/lines.js';
import { diag } from '../sources/util.js';
import type { FileFormat } from '../sources/types.js';
import { batchLines, type BatchJob, type BatchResult, type WorkerItem } from './scan-workers.js';

const port = parentPort!;
const { sources, maxLine } = workerData as { sources: RuleSources; maxLine: number };
const loaded = await loadEngineRules(sources);
const rules = loaded.ruleset.rules();
const index = new Map(rules.map((r, i) => [r, i]));
port.postMessage({ ready: true, ruleIds: rules.map((r) => r.id) });

const parsers = new Map<string, LineParser>();

async function parser(file: string, format: FileFormat): Promise<LineParser | WorkerItem> {
  const key = `${format}\u0000${file}`;
  let p = parsers.get(key);
  if (!p) {
    const made = await parserFor(format, file);
    if ('diagnostic' in made) return { d: made.diagnostic };
    parsers.set(key, (p = made));
  }
  return p;
}

port.on('message', (job: BatchJob) => {
  void run(job).then(
    (r) => port.postMessage(r),
    (e: unknown) => port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) } satisfies BatchResult),
  );
});

/** The per-line loop of readEventFile, then the rule set: same records, same order. */
async function run(job: BatchJob): Promise<BatchResult> {
  const items: WorkerItem[] = [];
  const p = await parser(job.file, job.format);
  if (!('line' in p)) return { id: job.id, items: [p] };
  let lineNo = job.firstLine - 1;
  let lines = job.lines ?? [];
  if (job.bytes) lines = batchLines(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.length), maxLine);
  for (const text of lines) {
    lineNo++;
    if (text === OVERLONG_LINE) {
      items.push({ d: diag(job.format, 'line-too-long', `line longer than ${maxLine} characters skipped`, `${job.file}:${lineNo}`) });
      continue;
    }
    if (!text.trim()) continue;
    let recs;
    try {
      recs = p.line(text, lineNo);
    } catch (e) {
      items.push({ d: diag(job.format, 'parse-error', `the ${job.format} parser failed on this line: ${(e as Error).message}`, `${job.file}:${lineNo}`) });
      continue;
    }
    for (const r of recs) {
      if ('diagnostic' in r) {
        items.push({ d: r.diagnostic });
        continue;
      }
      let found;
      try {
        found = loaded.ruleset.match(r.event);
      } catch (e) {
        items.push({ t: r.event['@timestamp'], x: (e as Error).message });
        continue;
      }
      // Only matched events cross back whole; for the rest the main thread needs only the time.
      if (found.length === 0) items.push({ t: r.event['@timestamp'] });
      else items.push({ j: JSON.stringify(r.event), t: r.event['@timestamp'], m: found.map((m) => [index.get(m.rule)!, m.selections]) });
    }
  }
  return { id: job.id, items };
}
