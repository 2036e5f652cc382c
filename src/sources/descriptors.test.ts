import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVE_SOURCES, liveFlags, liveOptionsFromFlags, withFlagsTable } from './descriptors.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'sources.md');

test('docs/sources.md carries the flags table of the live source descriptors as they are (npm run docs:sources)', () => {
  const text = readFileSync(docs, 'utf8');
  assert.equal(withFlagsTable(text), text);
  for (const f of liveFlags()) assert.ok(text.includes(`\`${f.flags}\``), f.flags);
});

test('flag names are unique across sources', () => {
  const names = liveFlags().map((f) => f.flags.split(' ')[0]);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(
    LIVE_SOURCES.map((d) => d.name),
    ['docker', 'auditd', 'k8s-audit', 'falco'],
  );
});

test('flags become source options: off, defaults, receivers with token from the environment and TLS', () => {
  assert.deepEqual(liveOptionsFromFlags({ docker: false, audit: false }, {}), { docker: false, audit: false });
  const o = liveOptionsFromFlags(
    {
      docker: true,
      stats: '0',
      audit: true,
      auditLog: '/tmp/a.log',
      k8sAuditPort: '8443',
      tlsCert: 'c.pem',
      tlsKey: 'k.pem',
      falcoPort: '2801',
      falcoToken: 'f',
    },
    { STOWAWAY_K8S_AUDIT_TOKEN: 'env' },
  );
  assert.deepEqual(o.docker, { socketPath: undefined, statsIntervalMs: 0 });
  assert.deepEqual(o.audit, { path: '/tmp/a.log' });
  assert.deepEqual(o.k8sWebhook, { port: 8443, host: undefined, token: 'env', tls: { cert: 'c.pem', key: 'k.pem' } });
  assert.equal(o.falco?.token, 'f');
  assert.equal(liveOptionsFromFlags({}, {}).k8sWebhook, undefined, 'no port, no receiver');
});
