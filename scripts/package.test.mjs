// The published package carries the product, not its tests or test helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_HELPERS } from './graph.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('npm pack leaves out compiled tests and test helpers, and keeps the command and the runtime', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const files = JSON.parse(out)[0].files.map((f) => f.path);
  assert.ok(files.includes('dist/cli/main.js'), 'the command ships (was the build run?)');
  assert.ok(files.includes('dist/runtime/runtime.js'));
  assert.deepEqual(
    files.filter((f) => f.includes('.test.')),
    [],
  );
  const helpers = TEST_HELPERS.map((h) => `dist/${h.replace(/\.ts$/, '.js')}`);
  assert.deepEqual(
    files.filter((f) => helpers.some((h) => f.startsWith(h))),
    [],
  );
});
