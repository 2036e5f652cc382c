import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExceptions, matchException, exceptionFromAlert } from './exceptions.js';
import { finding, containerEvent } from './fixtures.js';

const RULE = 'b1f0a6c2-0000-4000-8000-000000000001';

const YAML_TEXT = `
exceptions:
  - id: ci-runners
    rule: ${RULE}
    reason: CI runners build images and need privileged mode
    scope:
      image: ["ghcr.io/acme/runner:*"]
      namespace: ci
  - id: labelled
    rule: ${RULE}
    reason: debug pods
    scope:
      label: { team: sre }
    when:
      process.executable: [/bin/sh, /bin/bash]
  - rule: ${RULE}
    reason: everywhere
  - id: nope
    reason: missing rule
  - id: typo
    rule: x
    reason: y
    scop: {}
    scope: { imagee: x }
  - id: old
    rule: ${RULE}
    reason: expired one
    scope: { namespace: legacy }
    expires: 2020-01-01
`;

test('lint reports each bad entry with its line and keeps the good ones', () => {
  const set = parseExceptions(YAML_TEXT, 'ex.yaml', new Date('2026-11-22T00:00:00Z'));
  assert.deepEqual(
    set.exceptions.map((e) => e.id),
    ['ci-runners', 'labelled', 'ex.yaml#3', 'old'],
  );
  const codes = set.diagnostics.map((d) => `${d.code}@${d.line}`);
  assert.deepEqual(codes, [
    'exception-no-id@16',
    'exception-broad@16',
    'exception-no-rule@18',
    'exception-unknown-key@20',
    'exception-scope@20',
    'exception-expired@25',
  ]);
  assert.equal(set.exceptions[0]!.line, 3);
});

test('YAML syntax errors are diagnostics, not crashes', () => {
  const set = parseExceptions('exceptions: [\n  - : :', 'bad.yaml');
  assert.equal(set.exceptions.length, 0);
  assert.equal(set.diagnostics[0]?.code, 'yaml-syntax');
  assert.equal(parseExceptions('exceptions: 3').diagnostics[0]?.code, 'exceptions-shape');
});

test('scope by image glob and namespace, by label plus field condition', () => {
  const { exceptions } = parseExceptions(YAML_TEXT, 'ex.yaml', new Date('2026-11-22T00:00:00Z'));
  const scoped = exceptions.filter((e) => e.id !== 'ex.yaml#3');
  const at = new Date('2026-11-22T00:00:00Z');
  assert.equal(matchException(scoped, finding({ image: 'ghcr.io/acme/runner', tag: '1.2', ns: 'ci', pod: 'r-1' }), at)?.id, 'ci-runners');
  assert.equal(matchException(scoped, finding({ image: 'ghcr.io/acme/runner', tag: '1.2', ns: 'prod', pod: 'r-1' }), at), undefined);
  assert.equal(matchException(scoped, finding({ labels: { team: 'sre' } }), at)?.id, 'labelled');
  const ev = containerEvent({ labels: { team: 'sre' } });
  ev.process!.executable = '/usr/bin/python3';
  assert.equal(matchException(scoped, finding({ events: [ev] }), at), undefined);
  assert.equal(matchException(scoped, finding({ rule: { id: 'other' }, labels: { team: 'sre' } }), at), undefined);
  assert.equal(matchException(scoped, finding({ ns: 'legacy', pod: 'x' }), at), undefined, 'expired exceptions do not apply');
});

test('finding 8: an exception glob against a 16 KB command line is matched without backtracking', { timeout: 60_000 }, () => {
  const glob = '*a'.repeat(30) + '*b';
  const set = parseExceptions(`exceptions:\n  - id: g\n    rule: ${RULE}\n    reason: r\n    when:\n      process.command_line: ["${glob}"]\n`, 'ex.yaml');
  assert.deepEqual(set.diagnostics, []);
  const f = finding();
  f.events[0]!.process!.command_line = 'a'.repeat(16 * 1024);
  assert.equal(matchException(set.exceptions, f, new Date()), undefined);
  f.events[0]!.process!.command_line = 'a'.repeat(16 * 1024) + 'B';
  assert.equal(matchException(set.exceptions, f, new Date())?.id, 'g');
});

test('an exception from an alert: the narrowest scope it names, a reason, an expiry; none from an alert naming nothing', async () => {
  const now = new Date('2026-11-22T10:00:00Z');
  const base = { id: 'abc-123', rule: { id: 'r1', title: 'Rule one' } };
  assert.deepEqual(exceptionFromAlert({ ...base, entity: { container: { image: 'ghcr.io/acme/api:2.1' }, host: 'h1' } }, { reason: ' tests ', now }), {
    id: 'alert-abc-123',
    rule: 'r1',
    reason: 'tests',
    scope: { image: ['ghcr.io/acme/api:2.1'] },
    expires: '2027-02-20',
  });
  assert.deepEqual(exceptionFromAlert({ ...base, entity: { pod: { namespace: 'shop', images: ['a:1', 'b:2'] } } }, { reason: 'x', now, days: 1 }).scope, {
    image: ['a:1', 'b:2'],
    namespace: ['shop'],
  });
  assert.deepEqual(exceptionFromAlert({ ...base, entity: { host: 'build-7' } }, { reason: 'x', now }).when, { 'host.name': ['build-7'] });
  assert.throws(() => exceptionFromAlert({ ...base, entity: {} }, { reason: 'x', now }), /silence 'Rule one' everywhere/);
  assert.throws(() => exceptionFromAlert({ ...base, entity: { host: 'h' } }, { reason: '  ', now }), /needs a reason/);
});
