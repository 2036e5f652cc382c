// `npm run fuzz`: every fuzz target for a number of generated inputs; prints, per target,
// inputs, crashes, inputs slower than 1 s, the slowest input and the peak RSS so far.
//   npm run fuzz                       short pass (2,000 inputs per target)
//   npm run fuzz -- --long             1,000,000 inputs per target
//   npm run fuzz -- --runs 50000 --target auditd,sysmon --seed 42
// Exit status 1 when any target crashed or hung.
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { fuzzTargets, type FuzzTarget } from './targets.js';

export interface FuzzReport {
  target: string;
  inputs: number;
  crashes: number;
  hangs: number;
  slowest_ms: number;
  seconds: number;
  peak_rss_mb: number;
  seed: number;
  first_crash?: string;
  first_hang?: string;
}

export const HANG_MS = 1000;

/** Runs one target for `runs` inputs, counting crashes and hangs instead of stopping at the first. */
export function fuzzOne(t: FuzzTarget, runs: number, seed: number, progress?: (line: string) => void): FuzzReport {
  let inputs = 0;
  let crashes = 0;
  let hangs = 0;
  let slowest = 0;
  let first: string | undefined;
  let firstHang: string | undefined;
  const started = performance.now();
  fc.check(
    fc.property(t.arbitrary, (input) => {
      inputs++;
      const t0 = performance.now();
      try {
        t.run(input);
      } catch (e) {
        crashes++;
        first ??= `${(e as Error).stack?.split('\n').slice(0, 4).join(' | ')} ON ${fc.stringify(input).slice(0, 600)}`;
      }
      const ms = performance.now() - t0;
      if (ms > slowest) slowest = ms;
      if (progress && inputs % 100_000 === 0)
        progress(
          `${t.name}: ${inputs} inputs, ${crashes} crashes, ${hangs} hangs, slowest ${Math.round(slowest)} ms, ${Math.round((performance.now() - started) / 1000)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
        );
      if (ms > HANG_MS) {
        hangs++;
        firstHang ??= `${Math.round(ms)} ms ON ${fc.stringify(input).slice(0, 2000)}`;
      }
      return true;
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  return {
    target: t.name,
    inputs,
    crashes,
    hangs,
    slowest_ms: Math.round(slowest * 10) / 10,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    seed,
    first_crash: first,
    first_hang: firstHang,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  // Library warnings about odd YAML are the point of the inputs, not news.
  process.removeAllListeners('warning');
  const long = process.argv.includes('--long');
  const runs = Number(arg('--runs') ?? (long ? 1_000_000 : 2_000));
  const seed = Number(arg('--seed') ?? Date.now() % 2 ** 31);
  const only = arg('--target')?.split(',');
  const targets = (await fuzzTargets()).filter((t) => !only || only.includes(t.name));
  console.log(`fuzz: ${targets.length} targets, ${runs} inputs each, seed ${seed}, hang = one input over ${HANG_MS} ms`);
  console.log(['target', 'inputs', 'crashes', 'hangs>1s', 'slowest_ms', 'seconds', 'peak_rss_mb'].map((h) => h.padEnd(16)).join(''));
  let bad = 0;
  for (const t of targets) {
    const r = fuzzOne(t, runs, seed, (l) => process.stderr.write(`fuzz progress: ${l}\n`));
    console.log([r.target, r.inputs, r.crashes, r.hangs, r.slowest_ms, r.seconds, r.peak_rss_mb].map((v) => String(v).padEnd(16)).join(''));
    if (r.first_crash) console.log(`  first crash: ${r.first_crash}`);
    if (r.first_hang) console.log(`  first hang: ${r.first_hang}`);
    if (r.crashes || r.hangs) bad++;
  }
  console.log(`fuzz: ${bad ? `${bad} targets crashed or hung` : 'no crash, no hang'}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  process.exitCode = bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) void main();
