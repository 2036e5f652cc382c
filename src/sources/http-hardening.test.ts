// The receivers against their own adversary: who may talk to them, how much one request
// may cost, what time it may claim, and when the sender is told its events are safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { StowawayEvent } from '../model/event.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { createK8sWebhookSource } from './k8s-audit/webhook.js';
import { createFalcoHttpSource } from './falco/http.js';
import { isLoopbackAddress, receiverConfigError, sameSecret } from './http.js';

function auditEvent(time: string, name = 'web-0'): Record<string, unknown> {
  return {
    level: 'RequestResponse',
    auditID: `id-${name}-${time}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/prod/pods',
    verb: 'create',
    user: { username: 'dev@example.com' },
    sourceIPs: ['10.0.0.9'],
    objectRef: { resource: 'pods', namespace: 'prod', name, apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'alpine', securityContext: { privileged: true } }] } },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
}

function rawPost(port: number, body: Buffer | string, headers: Record<string, string | number> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
    });
    // The server may answer and close before the whole body is written: that is the point. A reset
    // with no answer at all is a failure, not a wait: the receiver must say why it refused.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
      else setTimeout(() => reject(new Error(`connection ${e.code} and no answer within 10 s`)), 10_000).unref();
    });
    req.end(body);
  });
}

test('finding 1: receivers listen on loopback by default and refuse a public address without a token', async () => {
  const src = createK8sWebhookSource({ port: 0 });
  assert.equal((await src.start(() => {})).started, true);
  assert.equal(src.address()!.address, '127.0.0.1');
  await src.stop();

  const open = createFalcoHttpSource({ port: 0, host: '0.0.0.0' });
  const r = await open.start(() => {});
  assert.equal(r.started, false);
  assert.match(r.reason!, /refusing to listen on 0\.0\.0\.0 without a token/);

  assert.match(receiverConfigError('falco', { port: 1, host: '0.0.0.0', token: '' })!, /token is empty/);
  assert.match(receiverConfigError('falco', { port: 1, tls: { cert: 'c.pem', key: '' } })!, /certificate and a key/);
  assert.equal(receiverConfigError('falco', { port: 1, host: '0.0.0.0', token: 't0k' }), undefined);
  assert.equal(receiverConfigError('falco', { port: 1, host: '10.0.0.1', tls: { cert: 'c', key: 'k', ca: 'ca' } }), undefined);
  // A name that only starts like loopback is not loopback.
  assert.equal(isLoopbackAddress('127.0.0.1.attacker.example'), false);
  assert.equal(isLoopbackAddress('127.1.2.3'), true);
  assert.equal(sameSecret('s3cret', 's3cret'), true);
  assert.equal(sameSecret('s3cre', 's3cret'), false);
  assert.equal(sameSecret('s3creT', 's3cret'), false);
});

test('finding 2: an event dated far ahead of the receiver clock is stamped with its time, counted and reported', async () => {
  const events: StowawayEvent[] = [];
  const diags: Diagnostic[] = [];
  const now = Date.parse('2026-01-10T12:00:00Z');
  const src = createK8sWebhookSource({ port: 0, now: () => now });
  await src.start((r) => ('event' in r ? events.push(r.event) : diags.push(r.diagnostic)));
  try {
    const body = JSON.stringify({ kind: 'EventList', items: [auditEvent('2099-01-01T00:00:00Z', 'future'), auditEvent('2026-01-10T11:59:00Z', 'now')] });
    assert.equal((await rawPost(src.address()!.port, body)).status, 200);
    assert.equal(events.length, 2);
    assert.equal(events[0]!['@timestamp'], '2026-01-10T12:00:00.000Z');
    assert.equal(events[0]!.stowaway.reported_time, '2099-01-01T00:00:00.000Z');
    assert.equal(events[1]!['@timestamp'].slice(0, 19), '2026-01-10T11:59:00');
    assert.equal(events[1]!.stowaway.reported_time, undefined);
    assert.equal(src.stats().clamped, 1);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['clock-skew'],
    );
  } finally {
    await src.stop();
  }
});

test('finding 3: a 32 MiB EventList of empty items is refused while it streams in, with a short answer', async () => {
  const diags: Diagnostic[] = [];
  const src = createK8sWebhookSource({ port: 0 });
  await src.start((r) => 'diagnostic' in r && diags.push(r.diagnostic));
  try {
    const n = Math.floor((32 * 1024 * 1024 - 40) / 3);
    const body = Buffer.from(`{"kind":"EventList","items":[${'{},'.repeat(n - 1)}{}]}`);
    const before = process.memoryUsage().rss;
    const r = await rawPost(src.address()!.port, body);
    assert.equal(r.status, 413);
    assert.ok(r.text.length < 200, `short answer, got ${r.text.length} bytes`);
    assert.match(r.text, /more than 500000 objects and arrays/);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['body-too-complex'],
    );
    // The body was never held whole, let alone parsed into 11 million objects.
    assert.ok(process.memoryUsage().rss - before < 512 * 1024 * 1024);
  } finally {
    await src.stop();
  }
});

test('finding 3: a declared Content-Length over the limit is refused before reading; bad items and diagnostics are bounded per request', async () => {
  const diags: Diagnostic[] = [];
  const events: StowawayEvent[] = [];
  const src = createK8sWebhookSource({ port: 0, maxBodyBytes: 1024 * 1024, maxItems: 50, maxDiagnostics: 5 });
  await src.start((r) => ('event' in r ? events.push(r.event) : diags.push(r.diagnostic)));
  try {
    const big = await rawPost(src.address()!.port, 'x', { 'content-length': 2 * 1024 * 1024 + 1 });
    assert.equal(big.status, 413);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['body-too-large'],
    );
    diags.length = 0;

    const items = Array.from({ length: 40 }, (_, i) => `not an event ${i}`);
    const bad = await rawPost(src.address()!.port, JSON.stringify({ kind: 'EventList', items }));
    assert.equal(bad.status, 400);
    assert.ok(bad.text.length < 1000, `bounded answer, got ${bad.text.length} bytes`);
    assert.match(bad.text, /\.\.\. and 35 more/);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['bad-k8s-audit', 'bad-k8s-audit', 'bad-k8s-audit', 'bad-k8s-audit', 'bad-k8s-audit', 'more-diagnostics'],
    );
    diags.length = 0;

    const many = Array.from({ length: 80 }, (_, i) => auditEvent(new Date().toISOString(), `p${i}`));
    const ok = await rawPost(src.address()!.port, JSON.stringify({ kind: 'EventList', items: many }));
    assert.equal(ok.status, 200);
    assert.equal(events.length, 50);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['too-many-items'],
    );
    assert.match(diags[0]!.message, /^30 EventList items/);
  } finally {
    await src.stop();
  }
});

test('finding 6: the receiver answers only after the events are handed on, and 503 when they are not', async () => {
  const order: string[] = [];
  let fail = false;
  const src = createFalcoHttpSource({
    port: 0,
    handedOn: () =>
      new Promise((resolve, reject) =>
        setTimeout(() => {
          order.push('committed');
          fail ? reject(new Error('disk full')) : resolve();
        }, 20),
      ),
  });
  const diags: Diagnostic[] = [];
  await src.start((r) => ('event' in r ? order.push('event') : diags.push(r.diagnostic)));
  try {
    const line = JSON.stringify({
      time: new Date().toISOString(),
      rule: 'Terminal shell in container',
      priority: 'Notice',
      output: 'x',
      output_fields: { 'container.id': 'abc' },
    });
    const r = await rawPost(src.address()!.port, line);
    order.push(`answered ${r.status}`);
    assert.deepEqual(order, ['event', 'committed', 'answered 200']);
    fail = true;
    order.length = 0;
    const r2 = await rawPost(src.address()!.port, line);
    assert.equal(r2.status, 503);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['not-handed-on'],
    );
  } finally {
    await src.stop();
  }
});
