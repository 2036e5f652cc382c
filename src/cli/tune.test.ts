// `stowaway tune` as a user runs it: a real process over a store `demo` filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../sinks/store/index.js';

const main = join(fileURLToPath(import.meta.url), '..', 'main.js');
const cli = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });

test('tune prints the noisiest rules and images of the store, and fails clearly without a store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-tune-'));
  try {
    const none = cli(['tune', '--data-dir', dir]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no alert store at .*stowaway demo/);
    assert.equal(cli(['demo', '--no-serve', '--data-dir', dir]).status, 0);
    const r = cli(['tune', '--data-dir', dir, '--limit', '3']);
    assert.equal(r.status, 0, r.stderr);
    const store = openStore(dir);
    const total = store.queryAlerts().total;
    store.close();
    assert.match(r.stdout, new RegExp(`^${total} alerts standing for \\d+ findings`));
    assert.match(r.stdout, /noisiest rules\nrule\s+title\s+alerts\s+findings\s+share/);
    assert.match(r.stdout, /noisiest images\nimage\s+alerts/);
    const json = JSON.parse(cli(['tune', '--data-dir', dir, '--json', '--limit', '2']).stdout) as {
      rules: Array<{ findings: number }>;
      total: { alerts: number };
    };
    assert.equal(json.total.alerts, total);
    assert.equal(json.rules.length, 2);
    assert.ok(json.rules[0]!.findings >= json.rules[1]!.findings, 'noisiest first');
    assert.equal(cli(['tune', '--data-dir', dir, '--limit', 'x']).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
