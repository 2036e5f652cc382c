// Peer-style run, as Zircolite is measured: 200,000 Sysmon-for-Linux process events (ECS NDJSON)
// through `stowaway scan` end to end, with the 122 SigmaHQ rules/linux/process_creation rules at
// --workers 1 and 2, and with the whole rules/ corpus; rule load with and without the rule cache.
// Each run is a fresh process, as a user runs it. Runs against dist/ (npm run build first).
// PEER_EVENTS sets the event count, PEER_REPEAT the runs per figure (the best is kept).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerProcessLines } from './gen/peer-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.STOWAWAY_SHARED ?? join(here, '../../shared');
const corpus = join(shared, 'sigma', 'rules');
const linuxProc = join(corpus, 'linux', 'process_creation');
if (!existsSync(linuxProc)) {
  console.log(`peer.bench: SKIPPED — ${linuxProc} not found (set STOWAWAY_SHARED)`);
  process.exit(0);
}
const cli = join(process.env.PEER_DIST ?? join(here, '../dist'), 'cli/main.js');
if (!existsSync(cli)) {
  console.error('peer.bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const N = Number(process.env.PEER_EVENTS ?? 200_000);
const REPEAT = Number(process.env.PEER_REPEAT ?? 1);

const work = mkdtempSync(join(tmpdir(), 'stowaway-peer-'));
const input = join(work, `sysmon-linux-process-${N}.ndjson`);
writeFileSync(input, peerProcessLines(N).join('\n') + '\n');
// Its own cache, so the figures do not depend on what earlier runs left behind.
const cacheDir = join(work, 'cache');
mkdirSync(cacheDir);
const env = { ...process.env, STOWAWAY_CACHE_DIR: cacheDir };

const help = spawnSync(process.execPath, [cli, 'scan', '--help'], { encoding: 'utf8' }).stdout;
const hasWorkers = help.includes('--workers');
const hasCache = help.includes('--no-cache');

/** CPU seconds of this process's reaped children (/proc/self/stat cutime + cstime), or NaN off Linux. */
function childCpu() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

/** One scan: wall time to rules loaded and to the end, findings per rule, digest of stdout. */
function scan(rules, extra = []) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const c0 = childCpu();
    let loaded;
    const child = spawn(process.execPath, [cli, 'scan', '--rules', rules, '--input', input, '--format', 'ecs', ...extra], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const hash = createHash('sha256');
    const perRule = new Map();
    let rest = '';
    let findings = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      hash.update(s);
      const lines = (rest + s).split('\n');
      rest = lines.pop();
      for (const l of lines) {
        findings++;
        const id = JSON.parse(l).rule.id;
        perRule.set(id, (perRule.get(id) ?? 0) + 1);
      }
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      err += s;
      if (loaded === undefined && /rule files: /.test(err)) loaded = performance.now();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const t1 = performance.now();
      if (code !== 0) return reject(new Error(`scan exited ${code}: ${err.slice(-2000)}`));
      const rulesLine = /(\d+) of (\d+) rules compiled/.exec(err);
      resolve({
        cpu: childCpu() - c0,
        total: (t1 - t0) / 1000,
        load: ((loaded ?? t1) - t0) / 1000,
        match: (t1 - (loaded ?? t0)) / 1000,
        findings,
        perRule,
        digest: hash.digest('hex').slice(0, 16),
        compiled: rulesLine ? Number(rulesLine[1]) : undefined,
        cacheLine: /scan: rule cache: [^\n]*/.exec(err)?.[0],
        stderr: err,
      });
    });
  });
}

async function best(rules, extra) {
  let b;
  for (let i = 0; i < REPEAT; i++) {
    const r = await scan(rules, extra);
    if (!b || r.cpu < b.cpu || (Number.isNaN(r.cpu) && r.total < b.total)) b = r;
  }
  return b;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const row = (label, r) =>
  console.log(
    `${label.padEnd(32)} ${r.total.toFixed(2).padStart(6)} s wall, ${r.cpu.toFixed(2).padStart(6)} s CPU | ${fmt(N / r.total).padStart(8)} ev/s wall, ${fmt(N / r.cpu).padStart(8)} ev/CPU-s end to end | load ${r.load.toFixed(2)} s wall | ${r.compiled} rules | ${r.findings} findings in ${r.perRule.size} rules | stdout ${r.digest}`,
  );

console.log(
  `peer: ${N.toLocaleString('en-US')} Sysmon-for-Linux process events (ECS NDJSON, ${input}); --workers: ${hasWorkers ? 'yes' : 'no'}; rule cache: ${hasCache ? 'yes' : 'no'}`,
);
const results = {};
// The floor: a fresh process that reads the same file, splits it into lines and JSON.parses each
// one, building nothing else. No scan that parses every event can be faster than this.
const floorScript = `
const { createReadStream } = require('node:fs');
let carry = '', n = 0;
const s = createReadStream(process.argv[1], { encoding: 'latin1', highWaterMark: 65536 });
s.on('data', (c) => { const ls = (carry + c).split('\\n'); carry = ls.pop(); for (const l of ls) if (l) { JSON.parse(l); n++; } });
s.on('end', () => { if (carry) { JSON.parse(carry); n++; } process.stdout.write(String(n)); });
`;
function floorRun() {
  const t0 = performance.now();
  const c0 = childCpu();
  const r = spawnSync(process.execPath, ['-e', floorScript, input], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0 || Number(r.stdout) !== N) throw new Error(`floor run failed: ${r.stderr || r.stdout}`);
  return { total: (performance.now() - t0) / 1000, cpu: childCpu() - c0 };
}
let floor;
for (let i = 0; i < Math.max(REPEAT, 2); i++) {
  const f = floorRun();
  if (!floor || f.cpu < floor.cpu) floor = f;
}
console.log(
  `floor: read + split + JSON.parse of every line, fresh process: ${floor.total.toFixed(2).padStart(6)} s wall, ${floor.cpu.toFixed(2).padStart(6)} s CPU | ${fmt(N / floor.total).padStart(8)} ev/s wall, ${fmt(N / floor.cpu).padStart(8)} ev/CPU-s`,
);
results.floor = { eps_wall: Math.round(N / floor.total), eps_cpu: Math.round(N / floor.cpu) };
// First run fills the rule cache (when there is one); its load time is the cold figure.
const cold = await scan(linuxProc, hasCache ? [] : []);
row('122 rules, cold cache, 1 worker', cold);
const one = await best(linuxProc, hasWorkers ? ['--workers', '1'] : []);
row('122 rules, 1 worker', one);
results.linux_1 = { eps_wall: Math.round(N / one.total), eps_cpu: Math.round(N / one.cpu), findings: one.findings };
console.log(`  1 worker / floor: ${(floor.total / one.total).toFixed(2)}x the floor's rate, wall`);
results.linux_1.vs_floor = +(floor.total / one.total).toFixed(2);
if (hasWorkers) {
  const two = await best(linuxProc, ['--workers', '2']);
  row('122 rules, 2 workers', two);
  const same = two.digest === one.digest;
  // Wall time is the only measure of a speed-up from more threads; on a shared machine it also
  // counts the neighbours' turns on the cores.
  console.log(`  2 workers / 1 worker: ${(one.total / two.total).toFixed(2)}x wall end to end; output identical: ${same}`);
  results.linux_2 = { eps_wall: Math.round(N / two.total), speedup_wall: +(one.total / two.total).toFixed(2), identical: same };
  if (!same) process.exitCode = 1;
}
await scan(corpus); // fills the cache for the whole corpus
const whole = await best(corpus, hasWorkers ? ['--workers', '1'] : []);
row('whole rules/ corpus, 1 worker', whole);
console.log(
  `  whole corpus / 122 rules: ${(whole.cpu / one.cpu).toFixed(2)}x the CPU time, ${(whole.total / one.total).toFixed(2)}x the wall time, end to end`,
);
results.whole_1 = {
  eps_wall: Math.round(N / whole.total),
  eps_cpu: Math.round(N / whole.cpu),
  cpu_ratio_vs_122: +(whole.cpu / one.cpu).toFixed(2),
  findings: whole.findings,
};
if (hasCache) {
  const nocache = await best(corpus, ['--no-cache']);
  console.log(`rule load, whole corpus (process start to rules ready): ${nocache.load.toFixed(2)} s without the cache, ${whole.load.toFixed(2)} s with it`);
  if (whole.cacheLine) console.log(`  ${whole.cacheLine}`);
  results.load = { nocache_s: +nocache.load.toFixed(2), cached_s: +whole.load.toFixed(2) };
} else {
  console.log(`rule load, whole corpus (process start to rules ready): ${whole.load.toFixed(2)} s (no rule cache in this build)`);
  results.load = { nocache_s: +whole.load.toFixed(2) };
}
console.log(JSON.stringify({ bench: 'peer', events: N, ...results }));
rmSync(work, { recursive: true, force: true });
