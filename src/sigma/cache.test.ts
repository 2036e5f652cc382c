import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules, compileRules } from './index.js';
import { openParseCache } from './cache.js';
import { loadEngineRules } from '../engine/rules.js';

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

const DEFERRED = `
title: Shell
id: 0d0f0000-0000-4000-8000-000000000001
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.executable|endswith: /bash
  condition: selection
---
title: Lookbehind
id: 0d0f0000-0000-4000-8000-000000000002
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.command_line|re: '(?<=curl )http'
  condition: selection
---
title: Outbound to 4444
id: 0d0f0000-0000-4000-8000-000000000003
logsource: { product: linux, category: network_connection }
detection:
  selection:
    destination.port: 4444
  condition: selection
---
title: Unknown modifier
id: 0d0f0000-0000-4000-8000-000000000004
logsource: { product: linux, category: network_connection }
detection:
  selection:
    destination.ip|sideways: 10.0.0.1
  condition: selection
`;

const ev = (category: string, fields: Record<string, unknown>) =>
  ({ '@timestamp': '2026-02-01T08:00:00Z', ...fields, stowaway: { source: 'test', logsource: { product: 'linux', category } } }) as never;

test('rule cache: a warm load routes and reports every rule from its recorded outcome and compiles a rule when its logsource is first routed', async () => {
  const { rules, cache } = scratch();
  writeFileSync(join(rules, 'mine', 'deferred.yml'), DEFERRED);
  const plain = await loadEngineRules({ rules: [rules] });
  const cold = await loadEngineRules({ rules: [rules], cache });
  const warm = await loadEngineRules({ rules: [rules], cache });
  assert.ok(existsSync(join(cache, 'rules-compiled.json')), 'outcomes are stored');
  for (const [what, r] of [
    ['cold', cold],
    ['warm', warm],
  ] as const) {
    // As data: parse diagnostics from the cache never held `rule: undefined`.
    assert.deepEqual(JSON.parse(JSON.stringify(r.diagnostics)), JSON.parse(JSON.stringify(plain.diagnostics)), `${what}: the same refusals, at the same lines`);
    assert.equal(r.compiled, plain.compiled, what);
    assert.deepEqual(r.ruleset.rules(), plain.ruleset.rules(), what);
  }
  const refused = plain.diagnostics.filter((d) => d.file?.endsWith('deferred.yml')).map((d) => d.rule);
  assert.deepEqual(refused.sort(), ['0d0f0000-0000-4000-8000-000000000002', '0d0f0000-0000-4000-8000-000000000004']);
  // Nothing compiled yet on the warm load; a process event compiles the process rules only.
  const total = warm.ruleset.stats()['deferred_rules']!;
  assert.equal(total, warm.compiled);
  const shell = ev('process_creation', { process: { executable: '/usr/bin/bash' } });
  const conn0 = () => ev('network_connection', { destination: { port: 4444 } });
  const ids = (r: typeof plain) => r.ruleset.match(shell).map((m) => m.rule.id);
  assert.deepEqual(ids(warm), ids(plain));
  assert.ok(ids(plain).includes('0d0f0000-0000-4000-8000-000000000001'));
  // Worker threads key matches on the identity of the metadata rules() handed out.
  const metas = warm.ruleset.rules();
  assert.ok(warm.ruleset.match(conn0()).every((m) => metas.includes(m.rule)));
  const left = warm.ruleset.stats()['deferred_rules']!;
  assert.ok(left < total && left > 0, `process rules compiled, the others still deferred (${total} -> ${left})`);
  const conn = ev('network_connection', { destination: { port: 4444 } });
  assert.deepEqual(
    warm.ruleset.match(conn).map((m) => m.rule.id),
    plain.ruleset.match(conn).map((m) => m.rule.id),
  );
  assert.ok(plain.ruleset.match(conn).some((m) => m.rule.id === '0d0f0000-0000-4000-8000-000000000003'));
  assert.equal(warm.ruleset.stats()['late_compile_failures'], 0);
  // explain compiles what it is asked about.
  assert.equal(warm.ruleset.explain('Shell', shell).matched, true);
});

test('rule cache: a file key is the SHA-256 of its path and text, whichever way Node computes it', async () => {
  const { keyOf } = await import('./cache.js');
  const { createHash } = await import('node:crypto');
  for (const [file, text] of [
    ['/rules/a.yml', 'title: a\n'],
    ['/rules/ü.yml', 'title: straße — ✓\n'],
    ['', ''],
  ] as const) {
    const expected = createHash('sha256').update(file).update('\u0000').update(text).digest('base64');
    assert.equal(keyOf(file, text), expected);
  }
  assert.notEqual(keyOf('/rules/a.yml', 'x'), keyOf('/rules/a.ym', 'lx'), 'the separator keeps path and text apart');
});

test('rule cache: the file is written in ASCII, and non-ASCII rule text comes back unchanged', async () => {
  const { asciiJson } = await import('./cache.js');
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (v, s) => {
      const text = asciiJson(JSON.stringify({ v, s, lone: '\ud800', pair: '😀' }));
      for (let i = 0; i < text.length; i++) assert.ok(text.charCodeAt(i) < 0x80, text);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify({ v, s, lone: '\ud800', pair: '😀' })));
    }),
    { numRuns: 300 },
  );
  const { rules, cache } = scratch();
  writeFileSync(
    join(rules, 'mine', 'unicode.yml'),
    'title: Straße — “quoted” 😀\nid: 0b0b5b6e-3c2a-4c8e-9f7e-1a2b3c4d5e6f\nlogsource: { product: linux }\ndetection:\n  sel: { cmd|contains: "ćmd ⁄ \\\\u00e9" }\n  condition: sel\n',
  );
  const plain = await load(rules);
  await load(rules, cache);
  const bytes = readFileSync(join(cache, 'rules-parsed.json'));
  assert.ok(
    bytes.every((b) => b < 0x80),
    'cache file is ASCII',
  );
  const warm = await load(rules, cache);
  assert.equal(warm.stats!.misses, 0);
  assert.deepEqual(meaning(warm.r), meaning(plain.r));
  assert.ok(warm.r.rules.some((r) => r.title === 'Straße — “quoted” 😀'));
});
