// Issue 15, conventions: the read commands take --format table|json, an unknown strategy or a
// mistyped data directory is refused by name instead of giving an empty answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(fileURLToPath(import.meta.url), '..', 'main.js');
const cli = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 120_000 });

test('validate --strategy ADS-9999 names the unknown id and lists the known ones, exit 2', () => {
  const r = cli(['validate', '--strategy', 'ADS-9999']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /validate: unknown strategy ADS-9999; known: ADS-0001, ADS-0002, ADS-0003, ADS-0004, ADS-0005/);
  assert.equal(r.stdout, '');
});

test('serve --data-dir on a directory without a store refuses (exit 2) unless --create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-serve-'));
  try {
    const r = cli(['serve', '--data-dir', join(dir, 'typo'), '--port', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no alert store at .*typo\/stowaway\.sqlite; check --data-dir, or give --create/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('alerts list, tune and coverage take --format json; an unknown format is a one-line usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-format-'));
  try {
    assert.equal(cli(['demo', '--no-serve', '--data-dir', dir]).status, 0);
    const list = cli(['alerts', 'list', '--data-dir', dir, '--limit', '3', '--format', 'json']);
    assert.equal(list.status, 0, list.stderr);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    assert.equal(rows.length, 3);
    const tune = cli(['tune', '--data-dir', dir, '--format', 'json']);
    assert.equal(tune.status, 0, tune.stderr);
    assert.ok(JSON.parse(tune.stdout));
    const table = cli(['alerts', 'list', '--data-dir', dir, '--limit', '3', '--format', 'table']);
    assert.match(table.stdout.split('\n')[0]!, /^\d{4}-\d\d-\d\dT/);
    const bad = cli(['alerts', 'list', '--data-dir', dir, '--format', 'yaml']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /'yaml' is not an output format: table or json\n\(see 'stowaway <command> --help'\)\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
