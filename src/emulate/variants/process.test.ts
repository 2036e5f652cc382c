import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate, shq } from './process.js';
import { parseScenario } from '../live/format.js';
import { REPO_ROOT } from '../live/runner.js';

const variants = generate();
const STRATEGIES = join(REPO_ROOT, 'content', 'strategies');

/** Every rule id shipped under a strategy's rules folder, by ADS id. */
function shippedRules(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dir of readdirSync(STRATEGIES).filter((d) => d.startsWith('ads-'))) {
    const ids = new Set<string>();
    for (const f of readdirSync(join(STRATEGIES, dir, 'rules')))
      for (const m of readFileSync(join(STRATEGIES, dir, 'rules', f), 'utf8').matchAll(/^id: (\S+)$/gm)) ids.add(m[1]!);
    out.set(`ADS-${dir.slice(4, 8)}`, ids);
  }
  return out;
}

test('the process share of every strategy: positives and benign workloads at least as many as planned', () => {
  const want: Record<string, [number, number]> = { 'ADS-0005': [25, 15], 'ADS-0004': [18, 10], 'ADS-0001': [10, 5], 'ADS-0003': [8, 4], 'ADS-0002': [8, 3] };
  for (const [s, [pos, ben]] of Object.entries(want)) {
    const mine = variants.filter((v) => v.strategy === s);
    assert.ok(mine.filter((v) => v.kind === 'positive').length >= pos, `${s} positives`);
    assert.ok(mine.filter((v) => v.kind === 'benign').length >= ben, `${s} benign`);
  }
});

test('ids are unique per strategy, prefixed, and usable as scenario ids; generation is deterministic', () => {
  const seen = new Set<string>();
  for (const v of variants) {
    assert.match(v.id, /^proc-[a-z0-9-]{1,36}$/, v.id);
    assert.ok(!seen.has(`${v.strategy}/${v.id}`), `duplicate ${v.strategy}/${v.id}`);
    seen.add(`${v.strategy}/${v.id}`);
  }
  assert.deepEqual(generate(), variants);
});

test('positives expect shipped rules of their own strategy; benign expect nothing; each runs live or carries events', () => {
  const rules = shippedRules();
  for (const v of variants) {
    if (v.kind === 'positive') {
      assert.ok(v.expect.length > 0, `${v.id} expects no rule`);
      for (const r of v.expect) assert.ok(rules.get(v.strategy)?.has(r), `${v.strategy}/${v.id} expects ${r}, not a rule of that strategy`);
      assert.ok(v.technique, `${v.id} names no technique`);
    } else assert.deepEqual(v.expect, []);
    assert.ok(v.live || v.events, `${v.id} can neither run nor replay`);
  }
});

test('live variants are valid emulation scenarios', () => {
  for (const v of variants.filter((x) => x.live)) {
    const raw = {
      id: v.id,
      kind: v.kind,
      ...(v.live!.needs ? { needs: v.live!.needs } : {}),
      steps: v.live!.steps.map((s) => ({ run: s.run, where: s.where, timeout: s.timeout_s, allow_failure: s.allow_failure })),
      ...(v.kind === 'positive' ? { expect: [v.expect[0]] } : { quiet: 'all' }),
    };
    const { scenario, problems } = parseScenario(raw);
    assert.deepEqual(problems, [], v.id);
    assert.ok(scenario);
  }
});

test('every family the brief names is spelled more than one way', () => {
  const fams = new Map<string, number>();
  for (const v of variants.filter((x) => x.kind === 'positive')) fams.set(v.family, (fams.get(v.family) ?? 0) + 1);
  for (const f of ['reverse-shell', 'multi-call', 'cipher', 'share-copy', 'audit-tampering', 'sensor-stop', 'log-tampering', 'vm-process', 'hyperv'])
    assert.ok((fams.get(f) ?? 0) >= 2, `family ${f}: ${fams.get(f) ?? 0}`);
  // both ways into a container: docker exec and the container's own command
  const exf = variants.filter((v) => v.strategy === 'ADS-0005' && v.kind === 'positive');
  assert.ok(exf.some((v) => v.live!.steps.some((s) => s.run.startsWith('docker exec'))));
  assert.ok(exf.some((v) => v.live!.steps.some((s) => s.run.startsWith('docker run --rm'))));
});

test('shq quotes for bash, whatever the text holds', () => {
  assert.equal(shq(`a'b`), `'a'\\''b'`);
  assert.equal(shq('$x "y"'), `'$x "y"'`);
});

test('recorded variant scenarios name only variants the generator still makes', () => {
  const ids = new Set(variants.map((v) => `${v.strategy}/${v.id}`));
  for (const dir of readdirSync(STRATEGIES).filter((d) => d.startsWith('ads-'))) {
    const vdir = join(STRATEGIES, dir, 'variants');
    if (!existsSync(vdir)) continue;
    for (const f of readdirSync(vdir).filter((n) => n.startsWith('proc-') && n.endsWith('.yml')))
      assert.ok(ids.has(`ADS-${dir.slice(4, 8)}/${f.slice(0, -4)}`), `${dir}/variants/${f} is left over`);
  }
});
