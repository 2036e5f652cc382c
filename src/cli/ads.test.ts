import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultAttackPath, defaultStrategiesDir } from '../ads/index.js';
import { adsLint } from './ads.js';

const SEEDS = resolve(defaultStrategiesDir(), '..', '..', '..', 'shared', 'seeds');
const shared = existsSync(SEEDS) && existsSync(defaultAttackPath());
if (!shared) console.error(`\n*** SKIPPING seed lint CLI test: ${SEEDS} or ATT&CK data not found (../shared absent) ***\n`);

function capture() {
  let out = '';
  let err = '';
  return {
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
    get text() {
      return out;
    },
    get summary() {
      return err;
    },
  };
}

test('ads lint exits 0 on the shipped content, with rules', async () => {
  const c = capture();
  const code = await adsLint([], { rules: true }, c.out, c.err);
  assert.equal(code, 0, c.text);
  // without ../shared the one warning is "ATT&CK data not found"
  assert.match(
    c.summary,
    shared ? /5 document\(s\), \d+ rule\(s\).*0 error\(s\), 0 warning\(s\)/ : /5 document\(s\), \d+ rule\(s\).*0 error\(s\), 1 warning\(s\)/,
  );
});

test('ads lint exits 1 on the raw seeds and names T1597.002', { skip: !shared }, async () => {
  const c = capture();
  const code = await adsLint([SEEDS], {}, c.out, c.err);
  assert.equal(code, 1);
  assert.match(c.text, /error\[attack-pre-platform\].*T1597\.002/);
});

test('ads lint without ATT&CK data warns once and still lints', async () => {
  const c = capture();
  const code = await adsLint([], { attack: '/nonexistent/enterprise-attack.json', json: true }, c.out, c.err);
  assert.equal(code, 0);
  const first = JSON.parse(c.text.split('\n')[0]!);
  assert.equal(first.code, 'attack-unavailable');
  assert.match(c.summary, /ATT&CK not loaded/);
});
