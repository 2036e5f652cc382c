// Detection semantics per modifier and construct, each written as a small rule against a
// small event — the way a rule author reads the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, parseSigmaText, jsRegexFactory, type CompileOptions } from './index.js';
import type { StowawayEvent } from '../model/event.js';

function ruleset(detection: string, opts: CompileOptions = {}) {
  const text = `title: t\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n  product: test\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const parsed = parseSigmaText(text, 'inline.yml');
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return compileRules(parsed, { pipelines: [], ...opts });
}

function ev(fields: Record<string, unknown>): StowawayEvent {
  return { '@timestamp': '2026-03-04T05:06:07Z', event: {}, stowaway: { source: 'test', logsource: { product: 'test' } }, ...fields };
}

function matches(detection: string, fields: Record<string, unknown>, opts?: CompileOptions): boolean {
  const { ruleset: rs, diagnostics } = ruleset(detection, opts);
  assert.deepEqual(diagnostics, [], 'rule compiles');
  return rs.match(ev(fields)).length === 1;
}

function refusal(detection: string, opts?: CompileOptions): string | undefined {
  return ruleset(detection, opts).diagnostics.find((d) => d.severity === 'error')?.code;
}

test('maps are AND, lists are OR, list of maps is OR of ANDs', () => {
  const d = 'sel:\n  a: 1\n  b: [x, y]\ncondition: sel';
  assert.equal(matches(d, { a: 1, b: 'y' }), true);
  assert.equal(matches(d, { a: 1, b: 'z' }), false);
  assert.equal(matches(d, { a: 2, b: 'x' }), false);
  const l = 'sel:\n  - a: 1\n  - b: x\ncondition: sel';
  assert.equal(matches(l, { b: 'x' }), true);
  assert.equal(matches(l, { a: 3 }), false);
});

test('case-insensitive by default, |cased is exact', () => {
  assert.equal(matches('sel:\n  f: HeLLo\ncondition: sel', { f: 'hello' }), true);
  assert.equal(matches('sel:\n  f|cased: HeLLo\ncondition: sel', { f: 'hello' }), false);
  assert.equal(matches('sel:\n  f|cased: HeLLo\ncondition: sel', { f: 'HeLLo' }), true);
});

test('numbers and strings compare as strings; source text of numbers is kept', () => {
  assert.equal(matches('sel:\n  EventID: 4688\ncondition: sel', { EventID: '4688' }), true);
  assert.equal(matches("sel:\n  EventID: '4688'\ncondition: sel", { EventID: 4688 }), true);
  assert.equal(matches('sel:\n  opts: 0x17\ncondition: sel', { opts: '0x17' }), true);
});

test('contains, startswith, endswith', () => {
  assert.equal(matches('sel:\n  f|contains: mid\ncondition: sel', { f: 'a-MID-b' }), true);
  assert.equal(matches('sel:\n  f|startswith: pre\ncondition: sel', { f: 'prefix' }), true);
  assert.equal(matches('sel:\n  f|startswith: pre\ncondition: sel', { f: 'xprefix' }), false);
  assert.equal(matches("sel:\n  f|endswith: '\\cmd.exe'\ncondition: sel", { f: 'C:\\Windows\\cmd.exe' }), true);
  assert.equal(matches("sel:\n  f|endswith: '\\cmd.exe'\ncondition: sel", { f: 'C:\\Windows\\xcmd.exe' }), false);
});

test('|all links list values with AND', () => {
  const d = 'sel:\n  f|contains|all: [a1, b2]\ncondition: sel';
  assert.equal(matches(d, { f: 'b2 a1' }), true);
  assert.equal(matches(d, { f: 'a1' }), false);
});

test('keywords search every value; |all keywords need each one', () => {
  assert.equal(matches('kw:\n  - evil\n  - bad\ncondition: kw', { message: 'something EVIL here' }), true);
  assert.equal(matches('kw:\n  - evil\ncondition: kw', { message: 'benign', nested: { deep: ['x', 'evil'] } }), true);
  assert.equal(matches('kw:\n  - evil\ncondition: kw', { message: 'benign' }), false);
  assert.equal(matches("kw:\n  '|all':\n    - one\n    - two\ncondition: kw", { a: 'one', b: 'two' }), true);
  assert.equal(matches("kw:\n  '|all':\n    - one\n    - two\ncondition: kw", { a: 'one' }), false);
});

test('null means absent or null; empty string is a value; |exists checks presence', () => {
  assert.equal(matches('sel:\n  f: null\ncondition: sel', {}), true);
  assert.equal(matches('sel:\n  f: null\ncondition: sel', { f: null }), true);
  assert.equal(matches('sel:\n  f: null\ncondition: sel', { f: 'x' }), false);
  assert.equal(matches("sel:\n  f: ''\ncondition: sel", { f: '' }), true);
  assert.equal(matches("sel:\n  f: ''\ncondition: sel", {}), false);
  assert.equal(matches('sel:\n  f|exists: true\ncondition: sel', { f: '' }), true);
  assert.equal(matches('sel:\n  f|exists: false\ncondition: sel', { g: 1 }), true);
  assert.equal(matches('sel:\n  f|exists: true\ncondition: sel', {}), false);
});

test('windash: -, /, en dash, em dash and horizontal bar are interchangeable', () => {
  const d = 'sel:\n  cmd|windash|contains: " -exec "\ncondition: sel';
  for (const c of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.equal(matches(d, { cmd: `x ${c}exec y` }), true, c);
  assert.equal(matches(d, { cmd: 'x +exec y' }), false);
});

test('re with i, m, s sub-modifiers; regex is case-sensitive by default', () => {
  assert.equal(matches("sel:\n  f|re: 'ab+c'\ncondition: sel", { f: 'xxabbbcxx' }), true);
  assert.equal(matches("sel:\n  f|re: 'ABC'\ncondition: sel", { f: 'abc' }), false);
  assert.equal(matches("sel:\n  f|re|i: 'ABC'\ncondition: sel", { f: 'abc' }), true);
  assert.equal(matches("sel:\n  f|re|m: '^two$'\ncondition: sel", { f: 'one\ntwo\nthree' }), true);
  assert.equal(matches("sel:\n  f|re: '^two$'\ncondition: sel", { f: 'one\ntwo\nthree' }), false);
  assert.equal(matches("sel:\n  f|re|s: 'a.b'\ncondition: sel", { f: 'a\nb' }), true);
  assert.equal(matches("sel:\n  f|re: 'a.b'\ncondition: sel", { f: 'a\nb' }), false);
});

test('unsafe and unsupported regexes refuse the rule', () => {
  assert.equal(refusal("sel:\n  f|re: '(a)\\1'\ncondition: sel"), 'unsafe-regex');
  assert.equal(refusal("sel:\n  f|re: 'foo(?=bar)'\ncondition: sel"), 'unsupported-regex');
  assert.equal(refusal("sel:\n  f|re: '(?<!x)y'\ncondition: sel"), 'unsupported-regex');
  assert.equal(refusal("sel:\n  f|re: '(a+)+$'\ncondition: sel", { regex: jsRegexFactory }), 'unsafe-regex');
  assert.equal(refusal("sel:\n  f|re: '(unclosed'\ncondition: sel"), 'bad-regex');
});

test('unknown modifier refuses the rule', () => {
  assert.equal(refusal('sel:\n  f|containz: x\ncondition: sel'), 'unknown-modifier');
});

test('a refusal names the field as the rule wrote it, not as a pipeline renamed it', () => {
  const text = 'title: t\nlogsource:\n  product: linux\n  category: process_creation\ndetection:\n  sel:\n    CommandLine|containz: x\n  condition: sel\n';
  const d = compileRules(parseSigmaText(text, 'inline.yml')).diagnostics.find((x) => x.code === 'unknown-modifier');
  assert.match(d?.message ?? '', /'CommandLine\|containz'/);
});

test('base64 and base64offset (spec: three shifted variants)', () => {
  assert.equal(matches('sel:\n  f|base64: "http://"\ncondition: sel', { f: 'aHR0cDovLw==' }), true);
  const d = 'sel:\n  f|base64offset|contains: "http://"\ncondition: sel';
  for (const prefix of ['', 'a', 'ab', 'abc']) assert.equal(matches(d, { f: Buffer.from(prefix + 'http://evil').toString('base64') }), true, prefix);
  assert.equal(matches(d, { f: Buffer.from('nothing to see').toString('base64') }), false);
});

test('utf16le/wide/utf16be/utf16 encode before base64', () => {
  const enc = (s: string, e: BufferEncoding) => Buffer.from(s, e).toString('base64');
  assert.equal(matches('sel:\n  f|wide|base64: cmd\ncondition: sel', { f: enc('cmd', 'utf16le') }), true);
  assert.equal(matches('sel:\n  f|utf16le|base64: cmd\ncondition: sel', { f: enc('cmd', 'utf16le') }), true);
  const be = Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64');
  assert.equal(matches('sel:\n  f|utf16be|base64: cmd\ncondition: sel', { f: be }), true);
  const bom = Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64');
  assert.equal(matches('sel:\n  f|utf16|base64: cmd\ncondition: sel', { f: bom }), true);
  const ps = Buffer.from('IEX (New-Object Net.WebClient)', 'utf16le').toString('base64');
  assert.equal(matches('sel:\n  f|wide|base64offset|contains: "New-Object"\ncondition: sel', { f: 'powershell -enc ' + ps }), true);
});

test('cidr for IPv4 and IPv6', () => {
  const d = "sel:\n  ip|cidr:\n    - 10.0.0.0/8\n    - 'fd00::/8'\ncondition: sel";
  assert.equal(matches(d, { ip: '10.1.2.3' }), true);
  assert.equal(matches(d, { ip: '11.1.2.3' }), false);
  assert.equal(matches(d, { ip: 'fd12:3456::1' }), true);
  assert.equal(matches(d, { ip: 'fe80::1' }), false);
  assert.equal(matches(d, { ip: 'not an ip' }), false);
  assert.equal(matches('sel:\n  ip|cidr: "::ffff:192.168.0.0/120"\ncondition: sel', { ip: '::ffff:192.168.0.7' }), true);
});

test('lt, lte, gt, gte compare numbers; neq negates', () => {
  assert.equal(matches('sel:\n  n|gt: 10\ncondition: sel', { n: 11 }), true);
  assert.equal(matches('sel:\n  n|gt: 10\ncondition: sel', { n: '10' }), false);
  assert.equal(matches('sel:\n  n|gte: 10\ncondition: sel', { n: '10' }), true);
  assert.equal(matches('sel:\n  n|lt: 10\ncondition: sel', { n: 9.5 }), true);
  assert.equal(matches('sel:\n  n|lte: 10\ncondition: sel', { n: 11 }), false);
  assert.equal(matches('sel:\n  n|lt: 10\ncondition: sel', { n: 'abc' }), false);
  assert.equal(matches('sel:\n  f|neq: admin\ncondition: sel', { f: 'user' }), true);
  assert.equal(matches('sel:\n  f|neq: admin\ncondition: sel', { f: 'ADMIN' }), false);
});

test('time modifiers read the date of a field (UTC)', () => {
  const f = { '@timestamp': '2026-03-04T05:06:07Z' };
  assert.equal(matches("sel:\n  '@timestamp|hour': 5\ncondition: sel", f), true);
  assert.equal(matches("sel:\n  '@timestamp|minute': 6\ncondition: sel", f), true);
  assert.equal(matches("sel:\n  '@timestamp|day': 4\ncondition: sel", f), true);
  assert.equal(matches("sel:\n  '@timestamp|month': 3\ncondition: sel", f), true);
  assert.equal(matches("sel:\n  '@timestamp|year': 2026\ncondition: sel", f), true);
  assert.equal(matches("sel:\n  '@timestamp|week': 10\ncondition: sel", f), true);
  assert.equal(matches("sel:\n  '@timestamp|hour|gte': 22\ncondition: sel", f), false);
});

test('expand takes placeholder values; unresolved placeholders refuse the rule', () => {
  const d = "sel:\n  user|expand: '%Admins%'\ncondition: sel";
  assert.equal(matches(d, { user: 'root' }, { placeholders: { Admins: ['root', 'adm_*'] } }), true);
  assert.equal(matches(d, { user: 'adm_bob' }, { placeholders: { Admins: ['root', 'adm_*'] } }), true);
  assert.equal(matches(d, { user: 'bob' }, { placeholders: { Admins: ['root', 'adm_*'] } }), false);
  assert.equal(refusal(d), 'unresolved-placeholder');
  assert.equal(matches("sel:\n  f: '%name%'\ncondition: sel", { f: '%name%' }), true, 'without expand, %..% is literal');
  assert.equal(matches("sel:\n  f|expand: '\\%plain%n%'\ncondition: sel", { f: '%plainX' }, { placeholders: { n: ['X'] } }), true);
});

test('fieldref compares two fields of the same event', () => {
  assert.equal(matches('sel:\n  a|fieldref: b\ncondition: sel', { a: 'Same', b: 'same' }), true);
  assert.equal(matches('sel:\n  a|fieldref: b\ncondition: sel', { a: 'x', b: 'y' }), false);
  assert.equal(matches('sel:\n  a|fieldref|neq: b\ncondition: sel', { a: 'x', b: 'y' }), true);
  assert.equal(matches('sel:\n  a|fieldref|endswith: b\ncondition: sel', { a: 'C:\\x\\evil.exe', b: 'evil.exe' }), true);
});

test('nested fields: dotted paths, arrays (any element) and literal dotted keys', () => {
  assert.equal(matches('sel:\n  process.parent.name: bash\ncondition: sel', { process: { parent: { name: 'bash' } } }), true);
  assert.equal(matches('sel:\n  recs.type: EXECVE\ncondition: sel', { recs: [{ type: 'SYSCALL' }, { type: 'EXECVE' }] }), true);
  assert.equal(matches('sel:\n  recs.type: PATH\ncondition: sel', { recs: [{ type: 'SYSCALL' }, { type: 'EXECVE' }] }), false);
  assert.equal(matches('sel:\n  zeek.conn.id.orig_h: 1.2.3.4\ncondition: sel', { zeek: { conn: { 'id.orig_h': '1.2.3.4' } } }), true);
  assert.equal(matches('sel:\n  a.b: x\ncondition: sel', { 'a.b': 'x' }), true);
  assert.equal(matches('sel:\n  tags: two\ncondition: sel', { tags: ['one', 'two'] }), true);
});

test('condition grammar: precedence not > and > or, parentheses, 1 of / all of, them skips _ids', () => {
  const base = 'a:\n  f: 1\nb:\n  g: 1\nc:\n  h: 1\n';
  assert.equal(matches(base + 'condition: a or b and c', { f: 1 }), true, 'and binds tighter than or');
  assert.equal(matches(base + 'condition: (a or b) and c', { f: 1 }), false);
  assert.equal(matches(base + 'condition: not a and b', { g: 1 }), true);
  assert.equal(matches(base + 'condition: not a and b', { f: 1, g: 1 }), false);
  assert.equal(matches(base + 'condition: not (a or b)', { h: 1 }), true);
  assert.equal(matches('sel_a:\n  f: 1\nsel_b:\n  g: 1\ncondition: 1 of sel_*', { g: 1 }), true);
  assert.equal(matches('sel_a:\n  f: 1\nsel_b:\n  g: 1\ncondition: all of sel_*', { g: 1 }), false);
  assert.equal(matches('sel_a:\n  f: 1\nsel_b:\n  g: 1\ncondition: all of sel_*', { f: 1, g: 1 }), true);
  assert.equal(matches('x:\n  f: 1\n_helper:\n  g: 1\ncondition: all of them', { f: 1 }), true, '_helper is not part of them');
  assert.equal(matches('a:\n  f: 1\nb:\n  g: 1\ncondition:\n  - a\n  - b', { g: 1 }), true, 'condition lists are OR-ed');
});

test('bad conditions are refused with a reason', () => {
  const p = (d: string) => parseSigmaText(`title: t\nlogsource:\n  product: x\ndetection:\n${d}`, 'c.yml').diagnostics.map((x) => x.code);
  assert.deepEqual(p('  a:\n    f: 1\n  condition: a and missing\n'), ['bad-condition']);
  assert.deepEqual(p('  a:\n    f: 1\n  condition: (a\n'), ['bad-condition']);
  assert.deepEqual(p('  a:\n    f: 1\n  condition: a | count() > 5\n'), ['unsupported-aggregation']);
  assert.deepEqual(p('  a:\n    f: 1\n  condition: 1 of nothing*\n'), ['bad-condition']);
});

test('RuleMatch names the selections that were true', () => {
  const { ruleset: rs } = ruleset('sel_a:\n  f: 1\nsel_b:\n  g: 1\ncondition: 1 of sel_*');
  const [m] = rs.match(ev({ f: 1 }));
  assert.deepEqual(m?.selections, ['sel_a']);
  assert.equal(m?.generate, true);
  assert.equal(rs.setGenerate('11111111-2222-4333-8444-555555555555', false), 1);
  assert.equal(rs.match(ev({ f: 1 }))[0]?.generate, false);
});

test('property: a list of values matches exactly when one of its values alone would', async () => {
  const fc = (await import('fast-check')).default;
  const val = fc.array(fc.constantFrom('a', 'B', '*', '?', '\\\\', 'x'), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
  const mod = fc.constantFrom('', '|contains', '|startswith', '|endswith', '|cased', '|contains|cased');
  const field = fc.oneof(
    fc.string({ maxLength: 5 }).map((s) => s.replace(/[^abxAB]/g, 'a')),
    fc.array(fc.constantFrom('ab', 'Bx', 'xa', 'b'), { maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.array(val, { minLength: 2, maxLength: 5 }), mod, field, (vals, m, f) => {
      const q = (v: string) => `'${v}'`;
      const list = matches(`sel:\n  f${m}: [ ${vals.map(q).join(', ')} ]\ncondition: sel`, { f });
      const each = vals.some((v) => matches(`sel:\n  f${m}: ${q(v)}\ncondition: sel`, { f }));
      assert.equal(list, each);
    }),
    { numRuns: 300 },
  );
});
