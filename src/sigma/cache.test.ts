import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules, compileRules } from './index.js';
import { openParseCache } from './cache.js';

const content = join(dirname(fileURLToPath(import.meta.url)), '../../content/strategies');

/** The shipped rules copied to a scratch directory, plus a file with a YAML error. */
function scratch(): { rules: string; cache: string } {
  const root = mkdtempSync(join(tmpdir(), 'stowaway-cache-'));
  const rules = join(root, 'rules');
  cpSync(content, rules, { recursive: true, filter: (p) => !p.includes('/scenarios') });
  mkdirSync(join(rules, 'mine'));
  writeFileSync(join(rules, 'mine', 'broken.yml'), 'title: x\ndetection: [unclosed\n');
  return { rules, cache: join(root, 'cache') };
}

async function load(rules: string, cacheDir?: string) {
  const cache = cacheDir === undefined ? undefined : await openParseCache(cacheDir);
  const r = await loadRules([rules], cache ? { cache } : {});
  const saveError = await cache?.save();
  assert.equal(saveError, undefined);
  return { r, stats: cache?.stats };
}

/** What a load means to the engine: rules, filters, correlations and diagnostics, as data. */
const meaning = (r: Awaited<ReturnType<typeof loadRules>>) => JSON.parse(JSON.stringify(r)) as unknown;

test('rule cache: a warm load reads every file from the cache and yields what parsing yields', async () => {
  const { rules, cache } = scratch();
  const plain = await load(rules);
  const cold = await load(rules, cache);
  const warm = await load(rules, cache);
  assert.ok(plain.r.rules.length >= 10, `expected the shipped rules, got ${plain.r.rules.length}`);
  assert.equal(cold.stats!.hits, 0);
  assert.equal(cold.stats!.misses, plain.r.files);
  assert.equal(warm.stats!.hits, plain.r.files);
  assert.equal(warm.stats!.misses, 0);
  assert.deepEqual(meaning(warm.r), meaning(plain.r));
  assert.ok(
    warm.r.diagnostics.some((d) => d.file?.endsWith('broken.yml')),
    'diagnostics of a refused file come from the cache too',
  );
  // Compiled from the cache, the same rules with the same metadata.
  assert.deepEqual(compileRules(warm.r).ruleset.rules(), compileRules(plain.r).ruleset.rules());
});

test('rule cache: an edited file is parsed again, the others still come from the cache', async () => {
  const { rules, cache } = scratch();
  await load(rules, cache);
  const f = join(rules, 'mine', 'broken.yml');
  writeFileSync(f, readFileSync(f, 'utf8').replace('[unclosed', '[closed]'));
  const again = await load(rules, cache);
  assert.equal(again.stats!.misses, 1);
  assert.equal(again.stats!.hits, again.r.files - 1);
  assert.deepEqual(meaning(again.r), meaning((await load(rules)).r));
});

test('rule cache: a corrupt, tampered or foreign cache is ignored with a message and rebuilt', async () => {
  const { rules, cache } = scratch();
  const plain = meaning((await load(rules)).r);
  await load(rules, cache);
  const file = join(cache, 'rules-parsed.json');
  const good = readFileSync(file, 'utf8');
  const nl = good.indexOf('\n');
  const head = JSON.parse(good.slice(0, nl)) as Record<string, unknown>;
  const cases: [string, string, RegExp][] = [
    ['garbage', 'not json at all', /corrupt/],
    ['truncated', good.slice(0, Math.floor(good.length / 2)), /corrupt/],
    // Valid JSON, but a rule title changed behind the checksum's back.
    ['tampered', good.replace(/"title":"[^"]*"/, '"title":"someone else\'s"'), /checksum/],
    ['other build', JSON.stringify({ ...head, code: 'elsewhere' }) + good.slice(nl), /another stowaway build/],
  ];
  for (const [what, text, message] of cases) {
    writeFileSync(file, text);
    const r = await load(rules, cache);
    assert.match(r.stats!.ignored ?? '', message, what);
    assert.equal(r.stats!.hits, 0, `${what}: nothing is trusted`);
    assert.deepEqual(meaning(r.r), plain, what);
    const next = await load(rules, cache);
    assert.equal(next.stats!.ignored, undefined, `${what}: rebuilt`);
    assert.equal(next.stats!.hits, next.r.files, `${what}: rebuilt`);
  }
});
