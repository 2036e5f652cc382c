import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHmac } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { createServer as netServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { connect } from 'nats';
import { createWebhookOutput, retryAfterMs, sign, SIGNATURE_HEADER, verifySignature } from './webhook.js';
import { createNatsOutput } from './nats.js';
import { createStreamOutput } from './stdout.js';
import { toEcs, toFalco } from './formats.js';
import { buildAlert } from '../alerts/build.js';
import { finding } from '../alerts/fixtures.js';

const alert = buildAlert(finding({ ns: 'prod', pod: 'api-1' }));

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
}

test('Falco-shaped output carries the fields falcosidekick reads', () => {
  const f = toFalco(alert);
  for (const k of ['time', 'rule', 'priority', 'output', 'output_fields', 'source', 'tags', 'hostname']) assert.ok(k in f, k);
  assert.equal(f.priority, 'Error');
  assert.equal(f.rule, 'Privileged container created');
  assert.equal(f.hostname, 'h1');
  assert.equal(f.source, 'docker');
  assert.match(String(f.output), /^10:00:00\.000000000: Error Privileged container created: web-1/);
  const of = f.output_fields as Record<string, unknown>;
  assert.equal(of['container.id'], '3f2a9c0d1e2b');
  assert.equal(of['container.image.repository'], 'busybox');
  assert.equal(of['container.image.tag'], 'latest');
  assert.equal(of['k8s.ns.name'], 'prod');
  assert.ok((f.tags as string[]).includes('T1611'));
});

test('ECS alert document', () => {
  const d = toEcs(alert) as Record<string, any>;
  assert.equal(d.event.kind, 'alert');
  assert.equal(d.event.severity, 4);
  assert.equal(d.rule.name, 'Privileged container created');
  assert.equal(d.threat.technique[0].id, 'T1611');
  assert.equal(d.threat.technique[0].reference, 'https://attack.mitre.org/techniques/T1611/');
  assert.equal(d.container.name, 'web-1');
  assert.equal(d.message, alert.summary);
});

test('stdout NDJSON: one document per line', () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const o = createStreamOutput({ stream, format: 'falco' });
  o.send(alert);
  o.send(alert);
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { rule: string });
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.rule, 'Privileged container created');
  assert.equal(o.stats().sent, 2);
});

test('webhook retries 5xx with backoff, signs every attempt, gives up on 4xx, counts it all', async () => {
  const secret = 's3cret';
  const got: { sig: string; body: string; status: number }[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    void answer(req, res);
  });
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const b = await body(req);
    calls++;
    const parsed = JSON.parse(b) as { id?: string; uuid?: string };
    // The first alert fails twice before it is taken; the second is refused for good.
    const status = parsed.id === 'reject' ? 400 : calls <= 2 ? 503 : 200;
    got.push({ sig: String(req.headers[SIGNATURE_HEADER]), body: b, status });
    res.statusCode = status;
    if (status === 503) res.setHeader('retry-after', '0');
    res.end();
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const o = createWebhookOutput({ url: `http://127.0.0.1:${port}/hook`, secret, backoffMs: 10, maxRetries: 3 });
    o.send(alert);
    o.send({ ...alert, id: 'reject' });
    await o.close();
    const st = o.stats();
    assert.equal(st.sent, 1);
    assert.equal(st.failed, 1);
    assert.equal(st.retries, 2);
    assert.equal(st.last_error, 'HTTP 400');
    assert.equal(got.length, 4);
    for (const g of got) {
      const t = /^t=(\d+),/.exec(g.sig)?.[1];
      assert.ok(t && Math.abs(Number(t) - Date.now() / 1000) < 60, g.sig);
      assert.equal(g.sig, `t=${t},sha256=${createHmac('sha256', secret).update(`${t}.${g.body}`).digest('hex')}`);
      assert.deepEqual(verifySignature(g.body, g.sig, secret), { ok: true });
    }
    assert.equal((JSON.parse(got[2]!.body) as { id: string }).id, alert.id);
  } finally {
    server.close();
  }
});

test('webhook signature: a changed body, a wrong secret or an old time is refused', () => {
  const body = '{"id":"a1"}';
  const now = Date.UTC(2026, 10, 22, 12);
  const t = now / 1000;
  const sig = sign(body, 'k', t);
  assert.deepEqual(verifySignature(body, sig, 'k', { now }), { ok: true });
  assert.equal(verifySignature('{"id":"a2"}', sig, 'k', { now }).ok, false);
  assert.equal(verifySignature(body, sig, 'other', { now }).ok, false);
  const late = verifySignature(body, sig, 'k', { now: now + 301_000 });
  assert.equal(late.ok, false);
  assert.match(!late.ok ? late.reason : '', /301 s away/);
  assert.deepEqual(verifySignature(body, sig, 'k', { now: now + 299_000 }), { ok: true });
  // the time cannot be moved without breaking the HMAC
  assert.equal(verifySignature(body, sig.replace(`t=${t}`, `t=${t + 1}`), 'k', { now }).ok, false);
  assert.equal(verifySignature(body, undefined, 'k').ok, false);
  assert.equal(verifySignature(body, 'sha256=abc', 'k').ok, false);
});

test('webhook to a dead endpoint fails after bounded retries and says why', async () => {
  const srv = netServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const o = createWebhookOutput({ url: `http://127.0.0.1:${port}/`, backoffMs: 5, maxRetries: 2, maxQueue: 1 });
  o.send(alert);
  o.send(alert);
  o.send(alert);
  await o.close();
  const st = o.stats();
  assert.equal(st.failed, 2);
  assert.equal(st.retries, 4);
  assert.equal(st.dropped, 1);
  assert.ok(st.last_error);
});

async function freePort(): Promise<number> {
  const srv = netServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('NATS: alerts arrive on stowaway.alerts.<level> through a real nats-server', async (t) => {
  if (spawnSync('nats-server', ['--version']).error) {
    console.error('SKIP NATS test: nats-server is not installed (run scripts/test-env.sh)');
    t.skip('nats-server not installed');
    return;
  }
  const port = await freePort();
  const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    let sub;
    for (let i = 0; i < 100 && !sub; i++) {
      try {
        sub = await connect({ servers: `127.0.0.1:${port}` });
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(sub, 'nats-server accepted connections');
    const received: { subject: string; doc: Record<string, unknown> }[] = [];
    const s = sub.subscribe('stowaway.alerts.>');
    const done = (async () => {
      for await (const m of s) {
        received.push({ subject: m.subject, doc: JSON.parse(m.string()) as Record<string, unknown> });
        if (received.length === 2) break;
      }
    })();
    await sub.flush();
    const o = createNatsOutput({ servers: `127.0.0.1:${port}`, format: 'falco' });
    o.send(alert);
    assert.equal(await o.ready, true);
    o.send({ ...alert, level: 'critical' });
    await o.close();
    await done;
    assert.deepEqual(
      received.map((r) => r.subject),
      ['stowaway.alerts.high', 'stowaway.alerts.critical'],
    );
    assert.equal(received[0]!.doc.rule, 'Privileged container created');
    assert.equal(o.stats().sent, 2);
    await sub.close();
  } finally {
    server.kill();
  }
});

test('NATS: a server restart is survived; alerts sent while it was down arrive after the reconnect', async (t) => {
  if (spawnSync('nats-server', ['--version']).error) {
    console.error('SKIP NATS restart test: nats-server is not installed (run scripts/test-env.sh)');
    t.skip('nats-server not installed');
    return;
  }
  const port = await freePort();
  const startServer = () => spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const waitUp = async () => {
    for (let i = 0; i < 100; i++) {
      try {
        return await connect({ servers: `127.0.0.1:${port}` });
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('nats-server did not come up');
  };
  let server = startServer();
  await waitUp().then((c) => c.close());
  const o = createNatsOutput({ servers: `127.0.0.1:${port}` });
  try {
    assert.equal(await o.ready, true);
    server.kill('SIGKILL');
    await new Promise((r) => server.on('exit', r));
    // Core NATS is at-most-once: what is published before the client notices the drop is lost,
    // so the alert is raised once the disconnect is known, as it would be during an outage.
    for (let i = 0; i < 100 && !/disconnect/.test(o.stats().last_error ?? ''); i++) await new Promise((r) => setTimeout(r, 50));
    o.send({ ...alert, id: 'while-down' });
    assert.equal(o.stats().queued, 1, 'held while the server is down');
    server = startServer();
    const sub = await waitUp();
    const got = (async () => {
      for await (const m of sub.subscribe('stowaway.alerts.>')) return JSON.parse(m.string()) as { id: string };
      return undefined;
    })();
    await sub.flush();
    // The client redelivers what it buffered once it is back; give it a few reconnect cycles.
    const first = await Promise.race([got, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000))]);
    assert.equal(first?.id, 'while-down');
    assert.ok(o.stats().retries >= 1, 'the reconnect is counted');
    await o.close();
    await sub.close();
  } finally {
    server.kill('SIGKILL');
  }
});

test('NATS: a server that starts after stowaway still gets the alerts raised before it was up', async (t) => {
  if (spawnSync('nats-server', ['--version']).error) {
    console.error('SKIP NATS late-start test: nats-server is not installed (run scripts/test-env.sh)');
    t.skip('nats-server not installed');
    return;
  }
  const port = await freePort();
  const o = createNatsOutput({ servers: `127.0.0.1:${port}` });
  o.send({ ...alert, id: 'early' });
  assert.equal(await o.ready, false, 'nothing listens yet');
  assert.equal(o.stats().queued, 1);
  const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    let sub;
    for (let i = 0; i < 100 && !sub; i++) {
      try {
        sub = await connect({ servers: `127.0.0.1:${port}` });
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(sub);
    const got = (async () => {
      for await (const m of sub.subscribe('stowaway.alerts.>')) return JSON.parse(m.string()) as { id: string };
      return undefined;
    })();
    await sub.flush();
    const first = await Promise.race([got, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000))]);
    assert.equal(first?.id, 'early');
    assert.ok(o.stats().retries >= 1);
    assert.equal(o.stats().sent, 1);
    await o.close();
    await sub.close();
  } finally {
    server.kill('SIGKILL');
  }
});

test('NATS: an unreachable server is reported, not thrown', async () => {
  const port = await freePort();
  const o = createNatsOutput({ servers: `127.0.0.1:${port}` });
  o.send(alert);
  assert.equal(await o.ready, false);
  await o.close();
  assert.equal(o.stats().failed, 1);
  assert.ok(o.stats().last_error);
});

test('finding 9: webhook retries without Retry-After back off exponentially; Retry-After: 0 does not shorten it', async () => {
  let calls = 0;
  let withHeader = false;
  const server = createServer((req, res) => {
    req.resume();
    calls++;
    res.statusCode = 503;
    if (withHeader) res.setHeader('retry-after', '0');
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    for (const header of [false, true]) {
      withHeader = header;
      calls = 0;
      const waits: number[] = [];
      const o = createWebhookOutput({
        url: `http://127.0.0.1:${port}/hook`,
        backoffMs: 250,
        maxBackoffMs: 5000,
        maxRetries: 4,
        sleep: async (ms) => void waits.push(ms),
      });
      o.send(alert);
      await o.close();
      assert.equal(calls, 5);
      assert.deepEqual(waits, [250, 500, 1000, 2000], `retry-after header: ${header}`);
    }
    assert.equal(retryAfterMs('7'), 7000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1)), 30_000);
  } finally {
    server.close();
  }
});
