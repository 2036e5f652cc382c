import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverage } from './coverage.js';

test('stowaway coverage --navigator writes a Navigator layer and prints the table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coverage-'));
  try {
    const file = join(dir, 'layer.json');
    let out = '';
    const code = await coverage(
      { navigator: file, name: 'test layer' },
      (s) => void (out += s),
      () => {},
    );
    assert.equal(code, 0);
    const layer = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(layer.name, 'test layer');
    assert.equal(layer.domain, 'enterprise-attack');
    assert.ok(layer.versions.attack && layer.versions.navigator && layer.versions.layer);
    assert.ok(
      layer.techniques.some(
        (t: { techniqueID: string; tactic: string; score: number }) => t.techniqueID === 'T1564.006' && t.tactic === 'defense-evasion' && t.score >= 6,
      ),
    );
    assert.match(out, /T1611\s+.*privilege-escalation/);
    assert.match(out, /5 strategies, \d+ rules and analytics, \d+ techniques detected/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('stowaway coverage --navigator - prints only the JSON', async () => {
  let out = '';
  const code = await coverage(
    { navigator: '-' },
    (s) => void (out += s),
    () => {},
  );
  assert.equal(code, 0);
  assert.equal(JSON.parse(out).domain, 'enterprise-attack');
});
