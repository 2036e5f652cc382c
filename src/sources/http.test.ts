import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { StowawayEvent } from '../model/event.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { fixturePath } from './fixture-path.js';
import { createK8sWebhookSource } from './k8s-audit/webhook.js';
import { createFalcoHttpSource } from './falco/http.js';

const eventList = readFileSync(fixturePath(import.meta.url, './k8s-audit/fixtures/eventlist.json'), 'utf8');

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  await r.text();
  return r.status;
}

test('Kubernetes audit webhook: bearer token, EventList with a bad item, bad JSON', async () => {
  const events: StowawayEvent[] = [];
  const diags: Diagnostic[] = [];
  const src = createK8sWebhookSource({ port: 0, host: '127.0.0.1', token: 's3cret', maxPastSkewMs: Infinity }); // the fixture is from 2024
  const st = await src.start((r) => ('event' in r ? events.push(r.event) : diags.push(r.diagnostic)));
  assert.equal(st.started, true);
  const url = `http://127.0.0.1:${src.address()!.port}/`;
  try {
    assert.equal(await post(url, eventList), 401);
    assert.equal(await post(url, eventList, { authorization: 'Bearer wrong' }), 401);
    assert.equal(events.length, 0);
    assert.equal(await post(url, eventList, { authorization: 'Bearer s3cret' }), 200);
    assert.equal(events.length, 2);
    assert.equal(events[0]!.orchestrator!.resource!.subresource, 'attach');
    assert.match(events[0]!.stowaway.origin!, /^k8s-audit:/);
    assert.equal(await post(url, '{"kind":"EventList","items":[', { authorization: 'Bearer s3cret' }), 400);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['unauthorized', 'unauthorized', 'bad-k8s-audit', 'bad-json'],
    );
    assert.deepEqual(src.stats(), { events: 2, errors: 4, dropped: 0, unattributed: 0, requests: 4, refused_requests: 2, clamped: 0 });
  } finally {
    await src.stop();
  }
});

test('a port in use: not started, with the reason', async () => {
  const a = createK8sWebhookSource({ port: 0, host: '127.0.0.1' });
  await a.start(() => {});
  const b = createK8sWebhookSource({ port: a.address()!.port, host: '127.0.0.1' });
  const r = await b.start(() => {});
  assert.equal(r.started, false);
  assert.match(r.reason!, /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  await a.stop();
});

const noOpenssl = spawnSync('openssl', ['version']).status !== 0 ? 'openssl not installed (run: bash scripts/test-env.sh)' : undefined;
if (noOpenssl) console.error(`\n*** SKIPPING TLS webhook test: ${noOpenssl} ***\n`);

test('Falco receiver over TLS', { skip: noOpenssl }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-tls-'));
  try {
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'],
      { stdio: 'ignore' },
    );
    assert.equal(r.status, 0);
    const events: StowawayEvent[] = [];
    const src = createFalcoHttpSource({ port: 0, host: '127.0.0.1', tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } });
    assert.equal((await src.start((x) => 'event' in x && events.push(x.event))).started, true);
    const line = readFileSync(fixturePath(import.meta.url, './falco/fixtures/events.json'), 'utf8').split('\n')[0]!;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: src.address()!.port,
          method: 'POST',
          path: '/',
          ca: readFileSync(join(dir, 'cert.pem')),
          servername: 'localhost',
          rejectUnauthorized: true,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(line);
    });
    await src.stop();
    assert.equal(status, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.rule!.name, 'Terminal shell in container');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
