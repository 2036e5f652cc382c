// Live: the Kubernetes audit webhook under hostile 32 MiB bodies (millions of empty items,
// sent by another process) stays responsive, and legitimate EventLists posted meanwhile
// keep producing alerts through the real content, engine and alert pipeline. The
// event-loop delay is measured and printed (speed is reported, not asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Finding } from '../model/alert.js';
import { createK8sWebhookSource } from './k8s-audit/webhook.js';
import { loadContent } from '../runtime/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { openStore } from '../sinks/store/index.js';

const HOSTILE = `
const http = require('node:http');
const [port, n] = process.argv.slice(1).map(Number);
const items = Math.floor((32 * 1024 * 1024 - 40) / 3);
const body = Buffer.from('{"kind":"EventList","items":[' + '{},'.repeat(items - 1) + '{}]}');
let left = n;
const codes = [];
for (let i = 0; i < n; i++) {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
    res.resume();
    res.on('end', () => { codes.push(res.statusCode); if (--left === 0) console.log(JSON.stringify({ codes, bytes: body.length })); });
  });
  req.on('error', () => { codes.push('reset'); if (--left === 0) console.log(JSON.stringify({ codes, bytes: body.length })); });
  req.end(body);
}
`;

function privilegedPod(name: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    level: 'RequestResponse',
    auditID: `load-${name}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/prod/pods',
    verb: 'create',
    user: { username: 'dev@example.com' },
    sourceIPs: ['10.0.0.9'],
    objectRef: { resource: 'pods', namespace: 'prod', name, apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'Pod',
      metadata: { name, namespace: 'prod' },
      spec: { containers: [{ name: 'c', image: 'alpine', securityContext: { privileged: true } }] },
    },
    requestReceivedTimestamp: now,
    stageTimestamp: now,
  };
}

test('k8s receiver under 32 MiB hostile bodies stays responsive; real privileged pods still alert', { timeout: 240_000 }, async () => {
  const store = openStore(':memory:');
  const content = await loadContent({ db: store.db, analytics: false });
  const engine = content.engine();
  const pipeline = createAlertPipeline({ store, catalog: content.catalog, rateLimit: { perRule: 10_000, windowS: 60 } });
  const pending: Finding[] = [];
  const src = createK8sWebhookSource({ port: 0 });
  await src.start((r) => {
    if ('event' in r) pending.push(...engine.process(r.event));
  });
  const port = src.address()!.port;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const child = spawn(process.execPath, ['-e', HOSTILE, String(port), '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<void>((r) => child.on('exit', () => r()));
  let exited = false;
  void done.then(() => (exited = true));
  const legit: number[] = [];
  let i = 0;
  try {
    // legitimate traffic for as long as the hostile client keeps sending (and at least 20 requests)
    while (!exited || legit.length < 20) {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'EventList', items: [privilegedPod(`web-${i++}`)] }),
      });
      await res.text();
      legit.push(res.status);
      pipeline.process(pending.splice(0));
      await new Promise((r) => setTimeout(r, 25));
    }
    await done;
  } finally {
    h.disable();
    await src.stop();
  }
  pipeline.process([...pending.splice(0), ...engine.flush()]);
  const hostile = JSON.parse(out) as { codes: Array<number | string>; bytes: number };
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  const alerts = store.queryAlerts({ rule: '6a81c573-57ca-4d01-82d6-b6d9d3e54611', limit: 1000 }).total;
  console.log(
    `receiver under load: ${hostile.codes.length} hostile bodies of ${hostile.bytes} bytes answered ${hostile.codes.join(',')}; ` +
      `${legit.length} legitimate requests (${legit.filter((s) => s === 200).length} answered 200), ${alerts} privileged-pod alerts; ` +
      `event-loop delay p50 ${ms(h.percentile(50))} ms, p99 ${ms(h.percentile(99))} ms, max ${ms(h.max)} ms; receiver stats ${JSON.stringify(src.stats())}`,
  );
  assert.ok(
    hostile.codes.every((c) => c === 413 || c === 'reset'),
    `hostile bodies refused: ${hostile.codes.join(',')}`,
  );
  assert.ok(legit.length >= 20);
  assert.ok(
    legit.every((s) => s === 200),
    `every legitimate request accepted: ${legit.join(',')}`,
  );
  assert.equal(alerts, legit.length, 'each legitimate privileged pod raised its alert');
  store.close();
});
