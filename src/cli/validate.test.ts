import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStrategiesDir } from '../ads/index.js';
import { validateReplay } from './validate.js';

test('stowaway validate replays the shipped scenarios: table, all PASS, exit 0', async () => {
  let out = '';
  let err = '';
  const code = await validateReplay(
    {},
    (s) => void (out += s),
    (s) => void (err += s),
  );
  assert.equal(code, 0, out + err);
  const [scenarios, rules] = out.trim().split('\n\n');
  const rows = scenarios!.split('\n').slice(2);
  assert.ok(rows.length >= 20);
  assert.ok(
    rows.every((r) => / PASS/.test(r)),
    out,
  );
  // The per-rule figure: every shipped rule, its detections on positive scenarios and its alerts on benign ones (all 0).
  const ruleRows = rules!.split('\n').slice(2);
  assert.match(rules!.split('\n')[0]!, /scenarios detected\s+benign alerts/);
  assert.ok(ruleRows.length >= 40, rules);
  assert.ok(
    ruleRows.every((r) => /\s0$/.test(r)),
    rules,
  );
  assert.ok(
    ruleRows.some((r) => r.startsWith('76a2a2e9') && /\s1\s+0$/.test(r)),
    rules,
  );
  assert.match(err, /validate: \d+ scenarios, \d+ passed, 0 failed/);
});

test('stowaway validate --strategy narrows the run; --json is machine-readable', async () => {
  let out = '';
  const code = await validateReplay(
    { strategy: ['ADS-0004'], json: true },
    (s) => void (out += s),
    () => {},
  );
  assert.equal(code, 0);
  const rows = JSON.parse(out) as { strategy: string; verdict: string }[];
  assert.ok(rows.length >= 2);
  assert.ok(rows.every((r) => r.strategy === 'ADS-0004' && r.verdict === 'pass'));
});

test('stowaway validate on a folder without strategies exits 2', async () => {
  let err = '';
  const code = await validateReplay(
    { content: '/nonexistent/strategies' },
    () => {},
    (s) => void (err += s),
  );
  assert.equal(code, 2);
  assert.match(err, /no strategy/);
});

test('a scenario file that cannot be parsed fails validate even when every other scenario passes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'validate-'));
  try {
    const src = join(defaultStrategiesDir(), 'ads-0004-virtual-instance-evasion');
    const dst = join(dir, 'strategies', 'ads-0004-virtual-instance-evasion');
    await cp(src, dst, { recursive: true });
    // a strategies folder carries its placeholder values beside the strategies
    await cp(join(defaultStrategiesDir(), 'placeholders.yml'), join(dir, 'strategies', 'placeholders.yml'));
    await writeFile(join(dst, 'scenarios', 'broken.yml'), 'name: broken\nkind: [positive\n');
    let err = '';
    const code = await validateReplay(
      { content: join(dir, 'strategies') },
      () => {},
      (s) => void (err += s),
    );
    assert.equal(code, 1);
    assert.match(err, /error\[yaml-syntax\].*broken\.yml/);
    assert.match(err, /0 failed; .*1 content error/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
