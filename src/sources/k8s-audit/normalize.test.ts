import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';
import { normalizeK8sAudit } from './normalize.js';

test('audit.k8s.io v1 and v1beta1 JSONL: pod security fields, exec command, whole event kept', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/audit.jsonl'));
  assert.equal(diagnostics.length, 0);
  assert.equal(events.length, 4);
  const [pod, exec, deploy, denied] = events as [any, any, any, any];
  assert.deepEqual(pod.stowaway.logsource, { product: 'kubernetes', category: 'application', service: 'audit' });
  assert.equal(pod['@timestamp'], '2024-03-05T10:15:30.123456Z');
  assert.deepEqual(pod.orchestrator.pod, {
    name: 'node-debugger', privileged: true, host_pid: true, host_network: true, host_ipc: true,
    host_paths: ['/'], images: ['busybox:1.36'], capabilities: ['SYS_ADMIN', 'SYS_PTRACE'],
  });
  assert.equal(pod.kubernetes.audit.requestObject.spec.hostPID, true, 'Sigma rules match by path into the audit event');
  assert.equal(pod.orchestrator.user.name, 'dev@example.com');
  assert.deepEqual(pod.event.type, ['creation']);

  assert.equal(exec.orchestrator.resource.subresource, 'exec');
  assert.deepEqual(exec.process.args, ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token']);
  assert.equal(exec.container.name, 'web');
  assert.deepEqual(exec.event.category, ['process']);

  assert.equal(deploy.orchestrator.api_version, 'audit.k8s.io/v1beta1');
  assert.deepEqual(deploy.orchestrator.pod.host_paths, ['/var/run/docker.sock']);
  assert.equal(deploy.orchestrator.pod.privileged, true);

  assert.equal(denied.event.outcome, 'failure');
  assert.equal(denied.orchestrator.response.status_code, 403);
});

test('an EventList body with one malformed item: a diagnostic, the others kept', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/eventlist.json'));
  assert.equal(events.length, 2);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.code, 'bad-k8s-audit');
  assert.match(diagnostics[0]!.message, /items\[1\]/);
  const [attach, cron] = events as [any, any];
  assert.equal(attach.orchestrator.resource.subresource, 'attach');
  assert.equal(cron.orchestrator.pod.host_pid, true);
  assert.deepEqual(cron.orchestrator.pod.images, ['alpine:3.19']);
});

test('refuses what is not an audit event', () => {
  assert.ok('diagnostic' in normalizeK8sAudit({ apiVersion: 'v1', kind: 'Pod' }, 'f:1')[0]!);
  assert.ok('diagnostic' in normalizeK8sAudit({ kind: 'Event', apiVersion: 'audit.k8s.io/v1' }, 'f:2')[0]!);
  assert.ok('diagnostic' in normalizeK8sAudit(42, 'f:3')[0]!);
});
