import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { installRules, parseRulesFile, readRulesFile } from './rules.js';

test('the shipped rules file: every rule keyed stowaway-*, covering what the sources categorize', () => {
  const rules = parseRulesFile(readRulesFile());
  assert.ok(rules.length >= 15);
  for (const r of rules) assert.match(r[r.indexOf('-k') + 1] ?? '', /^stowaway-/, r.join(' '));
  const text = rules.map((r) => r.join(' ')).join('\n');
  for (const s of [
    'execve',
    'connect',
    'mount',
    'finit_module',
    'ptrace',
    'setns',
    'unshare',
    '/etc/docker/',
    '/etc/containerd/',
    '/var/lib/kubelet/',
    '/etc/audit/',
  ])
    assert.ok(text.includes(s), s);
});

const canAudit = process.getuid?.() === 0 && spawnSync('auditctl', ['-s']).status === 0;
if (!canAudit) console.error('\n*** SKIPPING audit rule install test: needs root and auditctl (run: bash scripts/test-env.sh) ***\n');

test('installs with the real auditctl, skipping a rule for a missing path', { skip: !canAudit }, () => {
  const key = `stowaway-t${process.pid}`;
  try {
    const r = installRules([
      ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'finit_module', '-k', key],
      ['-w', '/nonexistent/stowaway', '-p', 'wa', '-k', key],
    ]);
    assert.equal(r.loaded, 1);
    assert.equal(r.skipped.length, 1);
    assert.match(r.skipped[0]!.reason, /does not exist/);
    assert.match(spawnSync('auditctl', ['-l', '-k', key], { encoding: 'utf8' }).stdout, new RegExp(key));
    // loading again counts as present, not as a failure
    assert.equal(installRules([['-a', 'always,exit', '-F', 'arch=b64', '-S', 'finit_module', '-k', key]]).loaded, 1);
  } finally {
    spawnSync('auditctl', ['-D', '-k', key]);
  }
});
