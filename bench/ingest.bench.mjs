// Ingest throughput per file format: the recorded/handwritten fixtures, replicated to
// a few hundred thousand records, read through readEventFile (dist/). Events/s and
// diagnostics per format; peak RSS at the end. `cpu s` is the process's CPU time for the
// read (GC threads included): on a shared machine it moves less than the wall time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { readEventFile } = await import(join(root, 'dist/sources/files.js'));
const fx = (p) => readFileSync(join(root, 'src/sources', p), 'utf8');
const TARGET = Number(process.env.INGEST_LINES ?? 200_000);
// INGEST_FORMATS=auditd,sysmon measures only those
const ONLY = process.env.INGEST_FORMATS ? new Set(process.env.INGEST_FORMATS.split(',')) : undefined;

function replicate(lines, map = (l) => l) {
  const out = [];
  for (let copy = 0; out.length < TARGET; copy++) for (const l of lines) out.push(map(l, copy));
  return out.join('\n') + '\n';
}
const nonEmpty = (t) => t.split('\n').filter((l) => l.trim());
const zeek = nonEmpty(fx('zeek/fixtures/conn.log'));
const zeekHeader = zeek.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
const zeekRows = zeek.filter((l) => !l.startsWith('#') && l.split('\t').length === 21);

// built one at a time so peak RSS reflects ingest, not the generated inputs
const inputs = {
  'docker-events': () => replicate(nonEmpty(fx('docker/fixtures/events.ndjson'))),
  // serials renumbered per copy, as a long-running audit.log has them
  auditd: () => replicate(nonEmpty(fx('auditd/fixtures/containers.log')), (l, c) => l.replace(/:(\d+)\):/, (_, s) => `:${Number(s) + c * 100000}):`)),
  'k8s-audit': () => replicate(nonEmpty(fx('k8s-audit/fixtures/audit.jsonl'))),
  falco: () => replicate(nonEmpty(fx('falco/fixtures/events.json')).filter((l) => l.endsWith('}'))),
  'zeek-conn': () => zeekHeader.join('\n') + '\n' + replicate(zeekRows),
  sysmon: () => replicate(nonEmpty(fx('sysmon-linux/fixtures/syslog.log')).filter((l) => l.endsWith('</Event>'))),
  ecs: () => replicate(nonEmpty(fx('ecs/fixtures/events.ndjson')).slice(0, 3)),
};

const dir = mkdtempSync(join(tmpdir(), 'stowaway-ingest-'));
try {
  console.log('format          lines     events   diags   seconds   events/s    MB/s   cpu s');
  for (const [format, make] of Object.entries(inputs)) {
    if (ONLY && !ONLY.has(format)) continue;
    const text = make();
    const file = join(dir, `${format}.log`);
    writeFileSync(file, text);
    const lines = text.split('\n').length - 1;
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let events = 0;
    let diags = 0;
    for await (const r of readEventFile(file, { format })) {
      if (r.event) events++;
      else diags++;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    console.log(
      `${format.padEnd(14)} ${String(lines).padStart(7)} ${String(events).padStart(10)} ${String(diags).padStart(7)} ${s.toFixed(2).padStart(9)} ${Math.round(
        events / s,
      )
        .toString()
        .padStart(10)} ${(Buffer.byteLength(text) / 1e6 / s).toFixed(1).padStart(7)} ${((cpu.user + cpu.system) / 1e6).toFixed(2).padStart(7)}`,
    );
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
