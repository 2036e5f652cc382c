import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverage } from './coverage.js';
import { coverageFrom } from './page.js';
import { loadContent } from '../runtime/index.js';
import { openStore } from '../sinks/store/index.js';
import { startServer } from '../server/http.js';
import type { CoverageMatrix } from '../ads/index.js';

async function run(opts: Parameters<typeof coverage>[0]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await coverage(
    opts,
    (s) => void (out += s),
    (s) => void (err += s),
  );
  return { code, out, err };
}

test('stowaway coverage --navigator writes a Navigator layer and prints the table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coverage-'));
  try {
    const file = join(dir, 'layer.json');
    const { code, out } = await run({ navigator: file, name: 'test layer' });
    assert.equal(code, 0);
    const layer = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(layer.name, 'test layer');
    assert.equal(layer.domain, 'enterprise-attack');
    assert.equal(layer.versions.attack, '18');
    assert.match(layer.description, /The MITRE Corporation/);
    assert.ok(
      layer.techniques.some(
        (t: { techniqueID: string; tactic: string; score: number }) => t.techniqueID === 'T1564.006' && t.tactic === 'defense-evasion' && t.score >= 6,
      ),
    );
    assert.match(out, /T1611\s+.*privilege-escalation/);
    assert.match(out, /\d+ rules and analytics \(of \d+ loaded\) in 5 strategies detect \d+ ATT&CK techniques \(ATT&CK 18\.1\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('stowaway coverage --navigator - prints only the JSON', async () => {
  const { code, out } = await run({ navigator: '-' });
  assert.equal(code, 0);
  assert.equal(JSON.parse(out).domain, 'enterprise-attack');
});

test('one ATT&CK figure: the coverage command, the Navigator layer and the page API count the same rules and techniques', async () => {
  const cli = JSON.parse((await run({ format: 'json' })).out) as CoverageMatrix;
  const layer = JSON.parse((await run({ navigator: '-' })).out) as {
    metadata: { name: string; value: string }[];
    techniques: { techniqueID: string; score: number }[];
  };
  const dir = await mkdtemp(join(tmpdir(), 'coverage-api-'));
  const store = openStore(dir);
  const srv = await startServer({ store, port: 0, coverage: coverageFrom(await loadContent()) });
  try {
    const api = (await (await fetch(`${srv.url.replace(/\/$/, '')}/api/coverage`)).json()) as CoverageMatrix;
    assert.ok(cli.rules > 20 && cli.techniques > 10, `${cli.rules} rules, ${cli.techniques} techniques`);
    assert.deepEqual([api.rules, api.techniques, api.strategies.length], [cli.rules, cli.techniques, cli.strategies.length]);
    const meta = (n: string): number => Number(layer.metadata.find((m) => m.name === n)?.value);
    assert.deepEqual([meta('rules'), meta('techniques')], [cli.rules, cli.techniques]);
    // The layer's scored techniques are the matrix's techniques, counted from the entries themselves.
    assert.equal(new Set(layer.techniques.filter((t) => t.score > 0).map((t) => t.techniqueID)).size, cli.techniques);
    const cellsOf = (m: CoverageMatrix): string[] => m.tactics.flatMap((t) => t.techniques.map((c) => `${t.tactic}/${c.technique}=${c.rules.length}`)).sort();
    assert.deepEqual(cellsOf(api), cellsOf(cli));
  } finally {
    await srv.close();
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('tactics come from ATT&CK, not from tactic tags: T1059 tagged with command-and-control stays under execution', async () => {
  const { computeCoverage } = await import('../ads/index.js');
  const m = computeCoverage([{ id: 'r1', title: 'shell', level: 'high', kind: 'sigma', tags: ['attack.command-and-control', 'attack.t1059'] }]);
  const placed = m.tactics.filter((t) => t.techniques.length).map((t) => `${t.tactic}:${t.techniques.map((c) => `${c.technique} ${c.name}`).join(',')}`);
  assert.deepEqual(placed, ['execution:T1059 Command and Scripting Interpreter']);
});
