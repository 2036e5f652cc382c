// End to end per input format: the scan pipeline (read the file, normalize, match, write each
// finding as its JSON line) against the floor of the same file — JSON.parse of every line for
// JSON formats, reading the lines for the others — and the ratio of the two. The ECS,
// flat Sysmon JSON and Sysmon XML files hold the same events, so their rows compare read
// paths on equal work; the XML row is also set against the JSON.parse floor of those events.
// Rules: SigmaHQ rules/linux/process_creation (when ../shared is there) and the product's
// content/strategies rules. CPU time of this process, best of BENCH_REPEAT (default 3), the
// end-to-end and floor runs taken in turns.
//
// What a user gets: every input file is written before anything is measured, and the events and
// lines that made them are dropped and collected first, so neither side pays GC over the bench's
// own data (a `stowaway scan` holds only the rules and the chunk it reads). Both sides run in this
// one process with the rules loaded, the same heap for each, a gc() before every run.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dockerEventLines, auditLines, k8sAuditLines } from './gen/inputs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);
if (!existsSync(dist('sources/synthetic.js'))) {
  console.error('formats.bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const files = await import(dist('sources/files.js'));
// the scan's way of reading when this build has it (a chunk of records at a time)
const batches =
  files.readEventBatches ??
  async function* (file, opts) {
    for await (const r of files.readEventFile(file, opts)) yield [r];
  };
const { syntheticProcessEvents, sysmonXmlLine, sysmonFlatJsonLine, sysmonEcsLine } = await import(dist('sources/synthetic.js'));
const { createEngine, loadEngineRules } = await import(dist('engine/index.js'));
const { findingLine } = await import(dist('cli/scan.js'));

const N = Number(process.env.BENCH_EVENTS ?? 50000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const ONLY = process.env.BENCH_FORMATS ? new Set(process.env.BENCH_FORMATS.split(',')) : undefined;
const shared = process.env.STOWAWAY_SHARED ?? join(root, '../shared');
const sigmaLinux = join(shared, 'sigma/rules/linux/process_creation');
const ruleDirs = [join(root, 'content/strategies'), ...(existsSync(sigmaLinux) ? [sigmaLinux] : [])];

const t0 = performance.now();
const loaded = await loadEngineRules({ rules: ruleDirs });
console.log(
  `rules: ${loaded.compiled} of ${loaded.parsed} compiled, ${loaded.correlations.length} correlations (${existsSync(sigmaLinux) ? 'SigmaHQ linux/process_creation + ' : ''}content/strategies), load ${(performance.now() - t0).toFixed(0)} ms; ${N} events per format`,
);

const inputs = [
  ['ecs', 'ecs', (ev) => ev.map(sysmonEcsLine), 'json'],
  ['flat sysmon json', 'winlog', (ev) => ev.map(sysmonFlatJsonLine), 'json'],
  ['sysmon xml', 'sysmon', (ev) => ev.map(sysmonXmlLine), 'lines'],
  ['docker events', 'docker-events', () => dockerEventLines(N), 'json'],
  ['auditd', 'auditd', () => auditLines(N), 'lines'],
  ['k8s audit', 'k8s-audit', () => k8sAuditLines(N), 'json'],
].filter(([, format]) => !ONLY || ONLY.has(format));

function cpuMs(start) {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function endToEnd(file, format) {
  const engine = createEngine({ ruleset: loaded.ruleset, correlations: loaded.correlations, knownRules: loaded.knownRules, fieldPaths: loaded.fieldPaths });
  let events = 0;
  let diags = 0;
  let findings = 0;
  let bytes = 0;
  const c = process.cpuUsage();
  for await (const batch of batches(file, { format }))
    for (const rec of batch) {
      if ('diagnostic' in rec) {
        diags++;
        continue;
      }
      events++;
      for (const f of engine.process(rec.event)) {
        findings++;
        bytes += findingLine(f).length;
      }
    }
  for (const f of engine.flush()) {
    findings++;
    bytes += findingLine(f).length;
  }
  return { ms: cpuMs(c), events, diags, findings, bytes };
}

// The floor reads the file the way a scan does (64 KiB byte chunks split into lines by the
// scan's splitter, which decodes an ASCII chunk as Latin-1) and, for JSON, parses each line; it
// builds nothing else.
async function floor(file, kind) {
  const c = process.cpuUsage();
  let sink = 0;
  const { lineBatches } = await import(dist('sources/lines.js'));
  const { createReadStream } = await import('node:fs');
  for await (const batch of lineBatches(createReadStream(file, { highWaterMark: 64 * 1024 }), 1 << 24))
    for (const l of batch) {
      if (!l) continue;
      sink += kind === 'json' ? Object.keys(JSON.parse(l)).length : l.length;
    }
  return { ms: cpuMs(c), sink };
}

const dir = mkdtempSync(join(tmpdir(), 'stowaway-formats-'));
const rate = (n, ms) => Math.round(n / (ms / 1000));
const rows = [];
const fileOf = (format) => join(dir, `${format}.log`);
// The XML row is also set against JSON.parse of the same events: the flat file is written for it.
const wantFlat = inputs.some(([name]) => name === 'sysmon xml');

/** Writes every selected input; nothing it made outlives it. */
function writeInputs() {
  const synthetic = syntheticProcessEvents(N);
  for (const [name, format, make] of inputs) writeFileSync(fileOf(format), make(synthetic).join('\n') + '\n');
  if (wantFlat && !inputs.some(([, format]) => format === 'winlog')) writeFileSync(fileOf('winlog'), synthetic.map(sysmonFlatJsonLine).join('\n') + '\n');
}

try {
  writeInputs();
  globalThis.gc?.();
  if (!globalThis.gc) console.log('(run with node --expose-gc: without it the runs are not collected between each other)');
  for (const [name, format, , kind] of inputs) {
    const file = fileOf(format);
    // end to end and floor taken in turns, best of REPEAT each: on a shared machine a slow
    // stretch then costs both sides, not one
    let e2e;
    let fl;
    let jf;
    for (let i = 0; i < REPEAT; i++) {
      globalThis.gc?.();
      const a = await endToEnd(file, format);
      if (!e2e || a.ms < e2e.ms) e2e = a;
      globalThis.gc?.();
      const b = await floor(file, kind);
      if (!fl || b.ms < fl.ms) fl = b;
      // XML against the JSON.parse floor of the same events (the flat JSON file)
      if (name === 'sysmon xml') {
        globalThis.gc?.();
        const c = await floor(fileOf('winlog'), 'json');
        if (!jf || c.ms < jf.ms) jf = c;
      }
    }
    const row = {
      format: name,
      '-f': format,
      events: e2e.events,
      diags: e2e.diags,
      findings: e2e.findings,
      'e2e ev/s': rate(e2e.events || N, e2e.ms),
      floor: kind === 'json' ? 'JSON.parse' : 'read lines',
      'floor ev/s': rate(N, fl.ms),
      ratio: e2e.events ? (fl.ms / e2e.ms).toFixed(2) : '-',
    };
    if (jf) row['vs JSON.parse'] = e2e.events ? (jf.ms / e2e.ms).toFixed(2) : '-';
    rows.push(row);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
