// The candidate index walks each event once; it must never hide a match that evaluating every
// routed rule would find, whatever shape the event has (arrays, dotted keys, numbers, nesting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, parseSigmaText } from './index.js';
import { SigmaRuleSet, applies, indexedClauses } from './ruleset.js';
import { EventView } from './fields.js';
import type { StowawayEvent } from '../model/event.js';

const RULES = `
title: nested field
logsource: { product: linux }
detection:
  sel: { a.b.c|contains: needle }
  condition: sel
---
title: field through arrays
logsource: { product: linux }
detection:
  sel: { recs.type: EXECVE, recs.a0|endswith: /curl }
  condition: sel
---
title: literal dotted key
logsource: { product: linux }
detection:
  sel: { zeek.conn.id.orig_h: 10.1.2.3 }
  condition: sel
---
title: number value
logsource: { product: linux }
detection:
  sel: { proc.pid: 4242 }
  condition: sel
---
title: keywords
logsource: { product: linux }
detection:
  keywords: [ 'mimikatz', 'sekurlsa::' ]
  condition: keywords
---
title: keyword and field
logsource: { product: linux }
detection:
  keywords: [ 'evilpayload' ]
  sel: { user.name: root }
  condition: keywords and sel
---
title: regex
logsource: { product: linux }
detection:
  sel: { cmd|re: 'wget .*\\.sh' }
  condition: sel
`;

function events(): StowawayEvent[] {
  const ls = { product: 'linux' };
  const base = (x: Record<string, unknown>) =>
    ({ '@timestamp': '2026-01-01T00:00:00Z', stowaway: { source: 'ecs', logsource: ls }, ...x }) as unknown as StowawayEvent;
  return [
    base({ a: { b: { c: 'xxNEEDLExx' } } }),
    base({ 'a.b': { c: 'a needle' } }),
    base({ a: { 'b.c': ['no', ['deep needle']] } }),
    base({ 'a.b.c': 'needle at the root' }),
    base({ a: [{ b: [{ c: 'needle in arrays' }] }] }),
    base({
      recs: [
        { type: 'SYSCALL', a0: '/usr/bin/curl' },
        { type: 'EXECVE', a0: '/usr/bin/curl' },
      ],
    }),
    base({ recs: [{ type: 'EXECVE', a0: 'ls' }] }),
    base({ zeek: { conn: { 'id.orig_h': '10.1.2.3' } } }),
    base({ 'zeek.conn': { 'id.orig_h': '10.1.2.3' } }),
    base({ proc: { pid: 4242 } }),
    base({ proc: [{ pid: '4242' }] }),
    base({ deep: { x: [{ y: { z: 'run MIMIKATZ now' } }] } }),
    base({ n: 1, flag: true, list: ['a', 'sekurlsa::logonpasswords'] }),
    base({ user: { name: 'root' }, blob: { text: 'EvilPayload' } }),
    base({ user: { name: 'root' }, stowaway: { source: 'ecs', logsource: ls, origin: 'evilpayload mimikatz' } }),
    base({ cmd: 'wget http://x/y.sh' }),
    base({ cmd: ['ls', 'wget http://x/y.sh'] }),
    base({ cmd: 'WGET http://x/y.SH' }),
  ];
}

test('index and exhaustive evaluation agree on events of many shapes', () => {
  const parsed = parseSigmaText(RULES, 'inline.yml');
  assert.equal(parsed.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const { ruleset } = compileRules(parsed, { pipelines: [] });
  const all = (ruleset as SigmaRuleSet).compiledRules();
  let matches = 0;
  const perEvent: number[] = [];
  for (const ev of events()) {
    const view = new EventView(ev);
    const brute = all.filter((r) => applies(r.source.logsource, ev.stowaway.logsource) && r.test(view)).map((r) => r.meta.title);
    const fast = ruleset.match(ev).map((m) => m.rule.title);
    assert.deepEqual(fast, brute, JSON.stringify(ev));
    matches += fast.length;
    perEvent.push(fast.length);
  }
  // Every event above was written to match at least one rule, except the three negative ones (the last: `re` is case-sensitive).
  assert.equal(matches, 15, `matches per event: ${perEvent.join(',')}`);
});

test('matches come out in rule order', () => {
  const { ruleset } = compileRules(parseSigmaText(RULES, 'inline.yml'), { pipelines: [] });
  const ev = events()[13]!;
  const extra = { ...ev, deep: 'mimikatz' } as unknown as StowawayEvent;
  assert.deepEqual(
    ruleset.match(extra).map((m) => m.rule.title),
    ['keywords', 'keyword and field'],
  );
});

test('property: numbers, booleans and digit strings are only skipped where no literal could occur in them', async () => {
  const fc = (await import('fast-check')).default;
  const lit = fc.constantFrom('12', '4.5', '-1', 'e5', '1e', 'true', 'fals', 'x1', 'tr', '+3', 'abc', '7');
  const rule = fc.record({ keyword: fc.boolean(), lits: fc.array(lit, { minLength: 1, maxLength: 3 }) });
  const scalar = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constantFrom('12', '-1.5e5', '4.5', 'true', 'x12', 'E5'),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), fc.record({ v: scalar, w: fc.array(scalar, { maxLength: 3 }) }), (rules, fields) => {
      const text = rules
        .map((r, i) => {
          const values = r.lits.map((l) => `'${l}'`).join(', ');
          const det = r.keyword ? `  keywords: [ ${values} ]\n  condition: keywords` : `  sel:\n    v|contains: [ ${values} ]\n  condition: sel`;
          return `title: r${i}\nlogsource: { product: linux }\ndetection:\n${det}\n`;
        })
        .join('---\n');
      const { ruleset } = compileRules(parseSigmaText(text, 'prop.yml'), { pipelines: [] });
      const ev = { '@timestamp': '2026-01-01T00:00:00Z', stowaway: { source: 'ecs', logsource: { product: 'linux' } }, ...fields } as unknown as StowawayEvent;
      const view = new EventView(ev);
      const brute = (ruleset as SigmaRuleSet)
        .compiledRules()
        .filter((r) => r.test(view))
        .map((r) => r.meta.title);
      assert.deepEqual(
        ruleset.match(ev).map((m) => m.rule.title),
        brute,
      );
    }),
    { numRuns: 500 },
  );
});

test('property: the index never hides a match, whatever the shape and depth of the event', async () => {
  const fc = (await import('fast-check')).default;
  // Keyword rules (one with a one-character keyword clause, which the index leaves out) beside
  // field rules, over events nesting objects and arrays around the keyword-search depth limit.
  const rules = `
title: kw
logsource: { product: linux }
detection:
  keywords: [ '/dev/tcp/', 'sh_history' ]
  condition: keywords
---
title: kw pair with a short one
logsource: { product: linux }
detection:
  tool: [ 'scp ', 'rsync ' ]
  target: [ '@', ':' ]
  condition: tool and target
---
title: field and kw
logsource: { product: linux }
detection:
  sel: { a.b|contains: tcp }
  keywords: [ 'history' ]
  condition: sel and keywords
---
title: dotted field
logsource: { product: linux }
detection:
  sel: { x.y.z|endswith: /sh }
  condition: sel
`;
  const { ruleset } = compileRules(parseSigmaText(rules, 'prop.yml'), { pipelines: [] });
  const all = (ruleset as SigmaRuleSet).compiledRules();
  const word = fc.constantFrom('/dev/tcp/', 'scp ', 'rsync ', '@', ':', 'a:b', 'tcp', '.sh_history', 'HISTORY', '/bin/sh', 'x', '{89f80f87-f47e}', '42');
  const text = fc.array(word, { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
  const key = fc.constantFrom('a', 'b', 'a.b', 'x', 'y', 'z', 'x.y', 'y.z', 'stowaway', 'c');
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 3 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  // A value wrapped in `depth` objects or arrays: keyword search stops below depth 32.
  const deep = fc.tuple(fc.integer({ min: 28, max: 36 }), text, fc.boolean()).map(([depth, t, arrays]) => {
    let v: unknown = t;
    for (let i = 0; i < depth; i++) v = arrays && i % 2 ? [v] : { c: v };
    return v;
  });
  fc.assert(
    fc.property(fc.dictionary(key, fc.oneof(value, deep), { maxKeys: 6 }), (body) => {
      const ev = {
        ...body,
        '@timestamp': '2026-01-01T00:00:00Z',
        stowaway: { source: 'ecs', logsource: { product: 'linux' }, note: '/dev/tcp/' },
      } as unknown as StowawayEvent;
      const view = new EventView(ev);
      const brute = all.filter((r) => r.test(view)).map((r) => r.meta.title);
      assert.deepEqual(
        ruleset.match(ev).map((m) => m.rule.title),
        brute,
        JSON.stringify(ev),
      );
    }),
    { numRuns: 1500 },
  );
});

test('a keyword clause of one-character literals is left out of the index only when the rule has another', () => {
  const kw = (text: string) => ({ field: '', text });
  const f = (text: string) => ({ field: 'cmd', text });
  assert.deepEqual(
    indexedClauses([
      [kw('scp '), kw('rsync ')],
      [kw('@'), kw(':')],
    ]),
    [[kw('scp '), kw('rsync ')]],
  );
  assert.deepEqual(indexedClauses([[kw('@'), kw(':')]]), [[kw('@'), kw(':')]]);
  assert.deepEqual(indexedClauses([[f(':')], [kw('wget')]]), [[f(':')], [kw('wget')]], 'a field clause stays: its field is read anyway');
  assert.deepEqual(indexedClauses([[kw('ab'), kw('wget')], [kw('curl')]]), [[kw('curl')]]);
});
