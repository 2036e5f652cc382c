// `stowaway alerts` against a real store file, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { finding } from '../alerts/fixtures.js';

const here = fileURLToPath(import.meta.url);
const main = join(here, '..', here.endsWith('.ts') ? 'main.ts' : 'main.js');
const loaders = process.execArgv.flatMap((a, i, all) => (a === '--import' || a === '--loader' ? [a, all[i + 1]!] : a.startsWith('--import=') ? [a] : []));

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [...loaders, main, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('alerts list, show, ack and exceptions on a real store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-cli-alerts-'));
  try {
    const store = openStore(dir);
    const p = createAlertPipeline({ store });
    const [a] = p.process([finding({ time: '2026-11-22T10:00:00Z' }), finding({ time: '2026-11-22T10:00:05Z' })]).created;
    p.process([
      finding({
        time: '2026-11-22T11:00:00Z',
        id: 'bbbb',
        name: 'db-1',
        rule: { id: 'r2', title: 'Audit disabled', level: 'critical', tags: ['attack.t1562.012'] },
      }),
    ]);
    store.close();

    const list = run(['alerts', 'list', '--data-dir', dir]);
    assert.equal(list.code, 0, list.err);
    assert.equal(list.out.trim().split('\n').length, 2);
    assert.match(list.err, /2 of 2 alerts/);
    const crit = run(['alerts', 'list', '--data-dir', dir, '--min-level', 'critical', '--json']);
    assert.deepEqual(
      crit.out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { rule: { id: string } }).rule.id),
      ['r2'],
    );
    assert.equal(run(['alerts', 'list', '--data-dir', dir, '--level', 'severe']).code, 2, 'a bad level is refused');

    const show = run(['alerts', 'show', a!.id, '--data-dir', dir]);
    assert.match(show.out, /^Privileged container created: web-1/);
    assert.match(show.out, /count 2/);

    const ack = run(['alerts', 'ack', a!.id, '--data-dir', dir, '--note', 'on it', '--actor', 'alice']);
    assert.equal(ack.code, 0, ack.err);
    const s2 = openStore(dir);
    const got = s2.getAlert(a!.id)!;
    assert.equal(got.status, 'acknowledged');
    assert.deepEqual(
      got.history.map((h) => [h.status, h.note, h.actor]),
      [['acknowledged', 'on it', 'alice']],
    );
    s2.close();
    assert.equal(run(['alerts', 'show', 'nope', '--data-dir', dir]).code, 2);

    writeFileSync(
      join(dir, 'exceptions.yaml'),
      'exceptions:\n  - id: lab\n    rule: r2\n    reason: lab hosts\n    scope: { namespace: lab }\n  - id: bad\n    rule: r2\n',
    );
    const ex = run(['alerts', 'exceptions', '--data-dir', dir]);
    assert.equal(ex.code, 1, 'lint errors make the command fail');
    assert.match(ex.out, /lab\s+rule r2\s+namespace=lab\s+excepted 0/);
    assert.match(ex.out, /error\[exception-no-reason\] .*exceptions\.yaml:6/);

    const missing = run(['alerts', 'list', '--data-dir', join(dir, 'nothing-here')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no alert store at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('alerts ack takes an unambiguous id prefix; an ambiguous one is refused with its candidates, a missing one named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-cli-ack-prefix-'));
  try {
    const store = openStore(dir);
    const ids = ['7f3a9c10-0000-4000-8000-000000000001', '7f3a9c22-0000-4000-8000-000000000002', '9b0e0000-0000-4000-8000-000000000003'];
    let i = 0;
    const p = createAlertPipeline({ store, newId: () => ids[i++]! });
    p.process([finding({ time: '2026-11-22T10:00:00Z', id: 'c1', name: 'a' }), finding({ time: '2026-11-22T10:00:01Z', id: 'c2', name: 'b' })]);
    p.process([finding({ time: '2026-11-22T10:00:02Z', id: 'c3', name: 'c' })]);
    store.close();

    const ambiguous = run(['alerts', 'ack', '7f3a9c', '--data-dir', dir]);
    assert.notEqual(ambiguous.code, 0, 'an ambiguous prefix must not pick one');
    assert.match(ambiguous.err, /'7f3a9c' is ambiguous/);
    assert.ok(ambiguous.err.includes(ids[0]!) && ambiguous.err.includes(ids[1]!), ambiguous.err);

    const missing = run(['alerts', 'ack', 'ffff', '--data-dir', dir]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /no alert ffff/);

    const one = run(['alerts', 'ack', '7f3a9c2', '--data-dir', dir, '--note', 'by prefix']);
    assert.equal(one.code, 0, one.err);
    assert.match(one.out, new RegExp(`^${ids[1]} acknowledged \\(by prefix\\)`));
    const s = openStore(dir);
    assert.equal(s.statusOf(ids[0]!), 'new', 'the other candidate is untouched');
    assert.equal(s.statusOf(ids[1]!), 'acknowledged');
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
