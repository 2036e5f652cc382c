#!/usr/bin/env node
// Runs the process-behaviour variants (src/emulate/variants/process.ts) for real and records their
// telemetry as replay scenarios, or replays the recorded ones. Until the shared variant framework
// (`validate --variants`) is in this branch, this is how they are run and recorded.
//
//   npm run build
//   sudo node scripts/process-variants.mjs live [--strategy ADS-0003] [--only id,id] [--no-record]
//   node scripts/process-variants.mjs replay [--strategy ADS-0003]
//
// live: writes each strategy's variants as an emulation file into a temporary content folder (the
// shipped rules, analytics and placeholders linked in), runs them with the live runner against
// this host's Docker engine and Linux audit, and prints the verdicts. While it runs it records, per
// variant, the Docker events of its containers (and their inspect documents) and the Linux audit
// events of its processes: those whose records name the variant's marker or one of its containers,
// and their descendants. They are written to content/strategies/<dir>/variants/<id>.* with a
// scenario file in the replay format; Windows variants get their generated events written there.
// replay: runs `stowaway validate` over the recorded variant scenarios.
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  symlinkSync,
  readdirSync,
  readFileSync,
  statSync,
  existsSync,
  rmSync,
  openSync,
  readSync,
  closeSync,
} from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import Docker from 'dockerode';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STRATEGIES = join(ROOT, 'content', 'strategies');
const AUDIT_LOG = '/var/log/audit/audit.log';

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const onlyStrategy = opt('--strategy');
const only = opt('--only')?.split(',');
const record = !args.includes('--no-record');

const { generate } = await import(join(DIST, 'emulate/variants/process.js'));
const all = generate().filter((v) => (!onlyStrategy || v.strategy === onlyStrategy) && (!only || only.includes(v.id)));

const strategyDirs = Object.fromEntries(
  readdirSync(STRATEGIES)
    .filter((d) => statSync(join(STRATEGIES, d)).isDirectory())
    .map((d) => [`ADS-${d.slice(4, 8)}`, d]),
);

function tempContent(withScenarios) {
  const root = mkdtempSync(join(tmpdir(), 'stowaway-procvar-'));
  const strat = join(root, 'strategies');
  mkdirSync(strat);
  symlinkSync(join(ROOT, 'content', 'analytics'), join(root, 'analytics'));
  symlinkSync(join(ROOT, 'content', 'audit'), join(root, 'audit'));
  symlinkSync(join(STRATEGIES, 'placeholders.yml'), join(strat, 'placeholders.yml'));
  for (const [id, dir] of Object.entries(strategyDirs)) {
    mkdirSync(join(strat, dir));
    symlinkSync(join(STRATEGIES, dir, 'rules'), join(strat, dir, 'rules'));
    symlinkSync(join(STRATEGIES, dir, 'strategy.md'), join(strat, dir, 'strategy.md'));
    if (withScenarios && existsSync(join(STRATEGIES, dir, 'variants'))) symlinkSync(join(STRATEGIES, dir, 'variants'), join(strat, dir, 'scenarios'));
    const mine = all.filter((v) => v.strategy === id && v.live);
    if (!withScenarios && mine.length) {
      const scenarios = mine.map((v) => ({
        id: v.id,
        kind: v.kind,
        description: v.description,
        ...(v.live.needs ? { needs: v.live.needs } : {}),
        ...(v.live.setup ? { setup: v.live.setup.map(toStep) } : {}),
        steps: v.live.steps.map(toStep),
        ...(v.live.cleanup ? { cleanup: v.live.cleanup.map(toStep) } : {}),
        ...(v.kind === 'positive' ? { expect: [v.expect[0]], wait: 15 } : { quiet: 'all', wait: 4 }),
      }));
      writeFileSync(join(strat, dir, 'emulation.yml'), stringify({ strategy: id, scenarios }));
    }
  }
  return root;
}

function toStep(s) {
  return { run: s.run, where: s.where, timeout: s.timeout_s, ...(s.allow_failure ? { allow_failure: true } : {}) };
}

// ---- audit slicing: the events of one variant, from the log as it was written during the run.
// A busy host rotates audit.log every few minutes: the log is read after each variant, following
// the file across a rotation (the rotated file is audit.log.1 and keeps its inode).
class AuditReader {
  constructor() {
    const st = statSync(AUDIT_LOG);
    this.ino = st.ino;
    this.pos = st.size;
    this.lines = [];
  }
  read(path, from, to) {
    if (to <= from) return '';
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    closeSync(fd);
    return buf.subarray(0, n).toString('utf8');
  }
  collect() {
    let text = '';
    const st = statSync(AUDIT_LOG);
    if (st.ino !== this.ino) {
      const old = `${AUDIT_LOG}.1`;
      if (existsSync(old) && statSync(old).ino === this.ino) text += this.read(old, this.pos, statSync(old).size);
      else process.stderr.write('recorder: the audit log rotated more than once between two reads; events were lost\n');
      this.ino = st.ino;
      this.pos = 0;
    }
    text += this.read(AUDIT_LOG, this.pos, st.size);
    this.pos = st.size;
    // a partial last line waits for the next read
    const cut = text.lastIndexOf('\n');
    if (cut < text.length - 1) this.pos -= Buffer.byteLength(text.slice(cut + 1));
    this.lines.push(
      ...text
        .slice(0, cut + 1)
        .split('\n')
        .filter(Boolean),
    );
  }
  /** Drops what is older than ms (epoch) to keep memory bounded. */
  forget(ms) {
    const sec = Math.floor(ms / 1000);
    const i = this.lines.findIndex((l) => Number(/msg=audit\((\d+)\./.exec(l)?.[1] ?? 0) >= sec);
    this.lines = i < 0 ? [] : this.lines.slice(i);
  }
}

async function auditSlice(lines, fromMs, toMs, marks, initPids) {
  const { parseAuditLine } = await import(join(DIST, 'sources/auditd/parse.js'));
  const events = new Map();
  for (const line of lines) {
    const m = /msg=audit\((\d+)\.(\d+):(\d+)\)/.exec(line);
    if (!m) continue;
    const ms = Number(m[1]) * 1000 + Number(m[2]);
    if (ms < fromMs || ms > toMs) continue;
    const key = `${m[1]}.${m[2]}:${m[3]}`;
    let e = events.get(key);
    if (!e) events.set(key, (e = { ms, lines: [], text: '', pid: undefined, ppid: undefined }));
    e.lines.push(line);
    const r = parseAuditLine(line);
    const f = r.record?.fields ?? {};
    e.text += ' ' + Object.values(f).join(' ');
    if (f.pid && e.pid === undefined) e.pid = f.pid;
    if (f.ppid && e.ppid === undefined) e.ppid = f.ppid;
  }
  const pids = new Set(initPids.map(String));
  const keep = [];
  for (const e of [...events.values()].sort((a, b) => a.ms - b.ms)) {
    const seed = marks.some((mk) => e.text.includes(mk));
    if (seed || (e.pid && pids.has(e.pid)) || (e.ppid && pids.has(e.ppid))) {
      if (e.pid) pids.add(e.pid);
      // runc setting up the container's mounts: dozens per container, read by no rule
      const runcMount = e.lines.some((l) => l.startsWith('type=SYSCALL') && l.includes('syscall=165 ') && l.includes('comm="runc:[2:INIT]"'));
      if (!runcMount) keep.push(...e.lines);
    }
  }
  return keep;
}

async function live() {
  if (process.getuid?.() !== 0) throw new Error('live needs root');
  const content = tempContent(false);
  const { runLiveValidation, renderLiveReport } = await import(join(DIST, 'emulate/live/index.js'));
  const docker = new Docker();
  const perScenario = new Map(); // mark → { events: [], inspect: Map }
  const windows = new Map(); // "ADS/id" → { from, to }
  let current;
  const stream = await docker.getEvents({ filters: { label: ['stowaway.emulation=1'] } });
  stream.on('data', async (chunk) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      let ev;
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      const mark = ev.Actor?.Attributes?.['stowaway.emulation.scenario'];
      if (!mark) continue;
      let s = perScenario.get(mark);
      if (!s) perScenario.set(mark, (s = { events: [], inspect: new Map() }));
      s.events.push(ev);
      if (ev.Type === 'container' && (ev.Action === 'create' || ev.Action === 'start')) {
        try {
          s.inspect.set(ev.Actor.ID, await docker.getContainer(ev.Actor.ID).inspect());
        } catch {
          /* gone already: the create-time document stays */
        }
      }
    }
  });
  const audit = new AuditReader();
  const slices = new Map(); // "ADS/id" → audit lines
  const pending = [];
  const report = await runLiveValidation({
    content,
    log: (l) => {
      process.stderr.write(l + '\n');
      const m = /^running (ADS-\d{4})\/(\S+) /.exec(l);
      if (m) {
        current = `${m[1]}/${m[2]}`;
        windows.set(current, { from: Date.now() - 200 });
      } else if (current && /^ {2}(pass|fail|error)/.test(l)) {
        const w = windows.get(current);
        w.to = Date.now() + 500;
        audit.collect();
        const [strategy, id] = current.split('/');
        const prefix = `stowaway-emu-${id}-`;
        const rec = [...perScenario.entries()].find(([m]) => m.startsWith(prefix))?.[1] ?? { events: [], inspect: new Map() };
        const ids = [...new Set(rec.events.filter((e) => e.Type === 'container').map((e) => e.Actor.ID))];
        const inits = [...rec.inspect.values()].map((i) => i.State?.Pid).filter((p) => p > 0);
        pending.push(auditSlice(audit.lines, w.from, w.to, [prefix, ...ids], inits).then((lines) => slices.set(`${strategy}/${id}`, lines)));
        audit.forget(w.from - 60_000);
      }
    },
  });
  stream.destroy();
  process.stdout.write(renderLiveReport(report, 'table') + '\n');
  writeFileSync(join(content, 'report.json'), renderLiveReport(report, 'json'));
  process.stderr.write(`full report: ${join(content, 'report.json')}\n`);
  if (!record || report.fatal) return report.ok ? 0 : 1;
  for (const row of report.rows) {
    const v = all.find((x) => x.strategy === row.strategy && x.id === row.scenario);
    const w = windows.get(`${row.strategy}/${row.scenario}`);
    if (!v || !w) continue;
    const s = perScenario.get(`stowaway-emu-${row.scenario}-${report.run_id}`) ?? { events: [], inspect: new Map() };
    await Promise.all(pending);
    const lines = slices.get(`${row.strategy}/${row.scenario}`) ?? [];
    writeScenario(v, { docker: s.events, inspect: [...s.inspect.values()], audit: lines, verdict: row.verdict });
  }
  return report.ok ? 0 : 1;
}

function writeScenario(v, rec) {
  const dir = join(STRATEGIES, strategyDirs[v.strategy], 'variants');
  mkdirSync(dir, { recursive: true });
  const inputs = [];
  if (rec?.docker?.length) {
    writeFileSync(join(dir, `${v.id}.docker-events.jsonl`), rec.docker.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(join(dir, `${v.id}.inspect.json`), JSON.stringify(rec.inspect, null, 1) + '\n');
    inputs.push({ file: `${v.id}.docker-events.jsonl`, format: 'docker-events', inspect: `${v.id}.inspect.json` });
  }
  if (rec?.audit?.length) {
    writeFileSync(join(dir, `${v.id}.audit.log`), rec.audit.join('\n') + '\n');
    inputs.push({ file: `${v.id}.audit.log`, format: 'auditd' });
  }
  if (v.events) {
    const ext = v.events.format === 'winlog' ? 'winlog.jsonl' : `${v.events.format}.jsonl`;
    writeFileSync(join(dir, `${v.id}.${ext}`), v.events.lines.join('\n') + '\n');
    inputs.push({ file: `${v.id}.${ext}`, format: v.events.format });
  }
  if (!inputs.length) return;
  const doc = {
    name: v.id,
    strategy: v.strategy,
    kind: v.kind,
    description: v.description,
    telemetry: v.events
      ? 'generated by src/emulate/variants/process.ts from the documented event format'
      : `recorded from a live run on a real Docker engine / Linux audit by scripts/process-variants.mjs (live verdict: ${rec.verdict})`,
    inputs,
    expect: v.kind === 'positive' ? { fire: [v.expect[0]] } : { quiet: 'all' },
  };
  writeFileSync(join(dir, `${v.id}.yml`), stringify(doc));
}

function replay() {
  const content = tempContent(true);
  const r = spawnSync(
    process.execPath,
    [join(DIST, 'cli/main.js'), 'validate', '--content', join(content, 'strategies'), ...(onlyStrategy ? ['--strategy', onlyStrategy] : [])],
    { stdio: 'inherit' },
  );
  rmSync(content, { recursive: true, force: true });
  return r.status ?? 1;
}

if (mode === 'live') process.exitCode = await live();
else if (mode === 'replay') {
  // generated (Windows) variants need no live run: write them first
  for (const v of all.filter((x) => x.events && !x.live)) writeScenario(v);
  process.exitCode = replay();
} else {
  process.stderr.write('usage: node scripts/process-variants.mjs live|replay [--strategy ADS-000N] [--only id,id] [--no-record]\n');
  process.exitCode = 2;
}
