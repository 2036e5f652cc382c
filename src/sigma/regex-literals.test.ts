// The candidate index trusts these sets: a regex must never match a text that holds none of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { regexLiterals } from './regex-literals.js';

const sorted = (p: string) => regexLiterals(p).sort();

test('literal sets: runs, alternations, small classes, optional parts', () => {
  assert.deepEqual(sorted('abc'), ['abc']);
  assert.deepEqual(sorted('foo|bar'), ['bar', 'foo']);
  assert.deepEqual(sorted('a(b|c)defg'), ['abdefg', 'acdefg']);
  assert.deepEqual(sorted('abcd?e'), ['abcde', 'abce']);
  assert.deepEqual(sorted('x\\.exe$'), ['x.exe']);
  assert.deepEqual(sorted('\\d+user[0-9]{2}'), ['user']);
  assert.deepEqual(sorted('ab{0,2}cd'), ['cd']);
  assert.deepEqual(sorted('ab+cd'), ['cd']);
  assert.deepEqual(sorted('-(W|R)\\s?(\\s|"|\')([0-9a-fA-F]{2}\\s?){2,20}(\\s|"|\')'), ['-r', '-w']);
  assert.deepEqual(sorted('(?i)[Pp]ower[Ss]hell'), ['powershell']);
  assert.deepEqual(sorted('(?:cmd|powershell)\\.exe'), ['cmd.exe', 'powershell.exe']);
  assert.deepEqual(sorted('(?P<x>ab){2}'), ['abab']);
  assert.deepEqual(sorted('\\bnc\\b'), ['nc']);
  assert.deepEqual(sorted('\\x41B'), ['ab']);
  assert.deepEqual(sorted('\\Qa.b\\E+'), ['a.b']);
});

test('literal sets: nothing known gives the empty set', () => {
  for (const p of ['.*', 'a|.*', '(a|)', '[^x]+', '\\w+', 'a?', '(x', 'x)', '\\1', '(?=a)', '', '*a']) assert.deepEqual(regexLiterals(p), [], p);
});

function sound(src: string, text: string): void {
  let re: RegExp;
  try {
    re = new RegExp(src, 'i');
  } catch {
    return;
  }
  if (!re.test(text)) return;
  const lits = regexLiterals(src);
  if (lits.length === 0) return;
  const low = text.toLowerCase();
  assert.ok(
    lits.some((l) => low.includes(l)),
    `/${src}/ matched ${JSON.stringify(text)} without any of ${JSON.stringify(lits)}`,
  );
}

test('property: a regex never matches text lacking all of its literals', () => {
  const tok = fc.constantFrom(
    'a',
    'b',
    'C',
    'ab',
    '.',
    '*',
    '+',
    '?',
    '|',
    '(a|b)',
    '(?:b|c)',
    '[ab]',
    '[aB]',
    '[^a]',
    '\\.',
    '{0,1}',
    '{2}',
    '{1,2}',
    'c?',
    '^',
    '$',
    '\\b',
    '(',
    ')',
    '\\s',
    ' ',
  );
  fc.assert(
    fc.property(
      fc.array(tok, { maxLength: 9 }).map((a) => a.join('')),
      fc.array(fc.constantFrom('a', 'b', 'c', 'A', '.', ' '), { maxLength: 12 }).map((a) => a.join('')),
      sound,
    ),
    { numRuns: 20000 },
  );
});

const shared = process.env['STOWAWAY_SHARED'] ?? join(dirname(fileURLToPath(import.meta.url)), '../../../shared');
const rulesDir = join(shared, 'sigma', 'rules');
const have = existsSync(rulesDir);
if (!have) console.error(`\n!!! SKIPPING corpus regex literal test: ${rulesDir} not found (set STOWAWAY_SHARED) !!!\n`);

function corpusRegexes(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) corpusRegexes(p, out);
    else if (n.endsWith('.yml'))
      for (const m of readFileSync(p, 'utf8').matchAll(/\|re(?:\|[a-z]+)*:\s*'((?:[^']|'')+)'\s*$/gm)) out.push(m[1]!.replace(/''/g, "'"));
  }
  return out;
}

test('property: texts generated from every SigmaHQ regex contain one of its literals', { skip: !have && 'no ../shared/sigma' }, () => {
  const regexes = corpusRegexes(rulesDir);
  let checked = 0;
  for (const src of regexes) {
    let re: RegExp;
    try {
      re = new RegExp(src);
      fc.sample(fc.stringMatching(re), 1);
    } catch {
      continue; // syntax JavaScript cannot generate from
    }
    if (regexLiterals(src).length === 0) continue;
    checked++;
    fc.assert(
      fc.property(fc.stringMatching(re), (text) => sound(src, text)),
      { numRuns: 30 },
    );
  }
  console.log(`corpus regexes: ${regexes.length}, with literal sets and generable: ${checked}`);
  assert.ok(checked > 50, `only ${checked} corpus regexes checked`);
});
