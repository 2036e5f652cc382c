// The layering of src/ holds, and the check can fail: it is run on the real tree and on
// small made-up graphs with an upward arrow, a sideways arrow, a cycle and a test helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, fileCycles, fileGraph, folderEdges, LAYERS } from './graph.mjs';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

test('src/ keeps its layers: no upward or sideways import between folders, no import cycle, no test helper in the product', () => {
  const files = fileGraph(src);
  assert.ok(files.size > 50, 'the tree was read');
  assert.ok(
    folderEdges(files).some((e) => e.from === 'cli' && e.to === 'runtime'),
    'commands compose the runtime',
  );
  assert.deepEqual(check(files), []);
});

test('every folder under src/ has a layer', () => {
  const folders = new Set([...fileGraph(src).keys()].filter((f) => f.includes('/')).map((f) => f.split('/')[0]));
  const layered = new Set(LAYERS.flat());
  assert.deepEqual(
    [...folders].filter((f) => !layered.has(f)),
    [],
  );
});

test('an upward import fails the check and names the file', () => {
  const g = new Map([
    ['model/event.ts', []],
    ['sigma/parse.ts', ['model/event.ts']],
    ['engine/engine.ts', ['sigma/parse.ts']],
    ['sources/live.ts', ['runtime/runtime.ts']],
    ['runtime/runtime.ts', ['engine/engine.ts']],
  ]);
  const p = check(g);
  assert.equal(p.length, 1, p.join('\n'));
  assert.match(p[0], /^upward import sources -> runtime: sources\/live.ts -> runtime\/runtime.ts/);
});

test('a sideways import between folders of one layer fails the check', () => {
  const g = new Map([
    ['engine/engine.ts', ['sources/live.ts']],
    ['sources/live.ts', []],
  ]);
  assert.match(check(g).join('\n'), /sideways import engine -> sources/);
});

test('a cycle between files of one folder fails the check', () => {
  const g = new Map([
    ['sources/live.ts', ['sources/docker/live.ts']],
    ['sources/docker/live.ts', ['sources/live.ts']],
    ['sources/types.ts', []],
  ]);
  assert.deepEqual(fileCycles(g), [['sources/docker/live.ts', 'sources/live.ts']]);
  assert.match(check(g).join('\n'), /import cycle among sources\/docker\/live.ts, sources\/live.ts/);
});

test('product code importing a test helper fails the check; tests may', () => {
  const g = new Map([
    ['alerts/pipeline.ts', ['alerts/fixtures.ts']],
    ['alerts/fixtures.ts', []],
  ]);
  assert.match(check(g).join('\n'), /imports a test helper: alerts\/pipeline.ts -> alerts\/fixtures.ts/);
});

test('a command importing another command fails the check; shared flags and main do not', () => {
  const g = new Map([
    ['cli/main.ts', ['cli/start.ts', 'cli/watch.ts']],
    ['cli/start.ts', ['cli/watch.ts', 'cli/options.ts']],
    ['cli/watch.ts', ['cli/options.ts', 'cli/page.ts']],
    ['cli/options.ts', []],
    ['cli/page.ts', []],
  ]);
  assert.deepEqual(check(g), ['a command imports another command: cli/start.ts -> cli/watch.ts']);
});

test('a folder without a layer fails the check', () => {
  assert.match(check(new Map([['plugins/x.ts', []]])).join('\n'), /folder plugins has no layer/);
});
