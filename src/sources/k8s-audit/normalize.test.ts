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
    name: 'node-debugger',
    privileged: true,
    host_pid: true,
    host_network: true,
    host_ipc: true,
    host_paths: ['/'],
    images: ['busybox:1.36'],
    capabilities: ['SYS_ADMIN', 'SYS_PTRACE'],
    volume_types: ['hostPath'],
    container_kinds: ['container'],
  });
  assert.equal(pod.kubernetes.audit.requestObject.spec.hostPID, true, 'Sigma rules match by path into the audit event');
  assert.equal(pod.orchestrator.user.name, 'dev@example.com');
  assert.deepEqual(pod.event.type, ['creation']);

  assert.equal(exec.orchestrator.resource.subresource, 'exec');
  assert.deepEqual(exec.process.args, ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token']);
  assert.equal(exec.container.name, 'web');
  assert.deepEqual(exec.event.category, ['process']);

  assert.equal(deploy.orchestrator.api_version, 'audit.k8s.io/v1beta1');
  assert.deepEqual(deploy.orchestrator.pod.host_paths, ['/run/docker.sock'], 'normalized: /var/run is /run');
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

test('members a Kubernetes audit event lacks are absent, not undefined; the audit event itself comes last', () => {
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      assert.notEqual(x, undefined, `${path}.${k} is present but undefined`);
      if (k !== 'kubernetes') walk(x, `${path}.${k}`);
    }
  };
  const minimal = normalizeK8sAudit(
    { apiVersion: 'audit.k8s.io/v1', kind: 'Event', verb: 'get', requestReceivedTimestamp: '2024-03-05T10:30:00.123456Z' },
    'a:1',
  );
  assert.equal(minimal.length, 1);
  const ev = (minimal[0] as { event: Record<string, unknown> }).event;
  walk(ev, 'event');
  assert.deepEqual(Object.keys(ev), ['@timestamp', 'event', 'stowaway', 'orchestrator', 'message', 'kubernetes']);
  assert.deepEqual(ev.orchestrator, { type: 'kubernetes', api_version: 'audit.k8s.io/v1', verb: 'get' });
  assert.equal(ev.message, '? get ');
  const exec = normalizeK8sAudit(
    {
      apiVersion: 'audit.k8s.io/v1',
      verb: 'create',
      stageTimestamp: '2024-03-05T10:30:00Z',
      user: { username: 'u' },
      objectRef: { resource: 'pods', name: 'p', namespace: 'd', subresource: 'exec' },
      requestURI: '/api/v1/namespaces/d/pods/p/exec?command=sh&command=-c&command=id',
      responseStatus: { code: 101 },
    },
    'b:1',
  );
  const x = (exec[0] as { event: Record<string, any> }).event;
  walk(x, 'event');
  assert.deepEqual(x.process, { executable: 'sh', name: 'sh', args: ['sh', '-c', 'id'], args_count: 3, command_line: 'sh -c id' });
  assert.deepEqual(x.container, { runtime: 'kubernetes', metadata: 'partial', metadata_reason: 'Kubernetes audit names the container only' });
  assert.equal(x.event.outcome, 'success');
  assert.equal(Object.keys(x).at(-1), 'kubernetes');
});

test('what a request changes: patches, ephemeral containers, persistent volumes, labels; status and bindings change no pod', () => {
  const ev = (o: Record<string, unknown>): any => {
    const [r] = normalizeK8sAudit(
      { apiVersion: 'audit.k8s.io/v1', kind: 'Event', requestReceivedTimestamp: '2026-12-01T09:00:00Z', user: { username: 'u' }, ...o },
      't',
    );
    return (r as any).event;
  };
  const jsonPatch = ev({
    verb: 'patch',
    objectRef: { resource: 'deployments', namespace: 'd', name: 'web' },
    requestObject: [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext', value: { privileged: true } }],
  });
  assert.equal(jsonPatch.orchestrator.pod.privileged, true);
  assert.equal(jsonPatch.orchestrator.pod.name, undefined, 'a pod name only for pods');
  assert.ok(Array.isArray(jsonPatch.kubernetes.audit.requestObject), 'the audit event keeps the patch as sent');

  const debug = ev({
    verb: 'patch',
    objectRef: { resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'd', name: 'web-1' },
    requestObject: { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }] } },
  });
  assert.deepEqual(debug.orchestrator.pod.container_kinds, ['ephemeral']);
  assert.deepEqual(debug.orchestrator.pod.capabilities, ['SYS_PTRACE']);
  assert.equal(debug.orchestrator.pod.name, 'web-1');

  const annotate = ev({
    verb: 'patch',
    objectRef: { resource: 'pods', namespace: 'd', name: 'p' },
    requestObject: { metadata: { annotations: { 'fluentbit.io/exclude': 'true' } } },
  });
  assert.deepEqual(annotate.orchestrator.pod.annotations, ['fluentbit.io/exclude=true']);

  const status = ev({
    verb: 'patch',
    objectRef: { resource: 'pods', subresource: 'status', namespace: 'd', name: 'p' },
    requestObject: { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } },
  });
  assert.equal(status.orchestrator.pod, undefined);
  const read = ev({ verb: 'get', objectRef: { resource: 'pods', namespace: 'd', name: 'p' }, responseObject: { spec: { hostPID: true, containers: [] } } });
  assert.equal(read.orchestrator.pod, undefined, 'reading a pod changes nothing');
  const deleted = ev({
    verb: 'delete',
    objectRef: { resource: 'pods', namespace: 'd', name: 'p' },
    responseObject: { spec: { hostPID: true, containers: [] } },
  });
  assert.equal(deleted.orchestrator.pod, undefined);

  const pv = ev({ verb: 'create', objectRef: { resource: 'persistentvolumes', name: 'x' }, requestObject: { spec: { hostPath: { path: '/var/run/' } } } });
  assert.deepEqual(pv.orchestrator.volume, { host_paths: ['/run'] });

  const ns = ev({
    verb: 'patch',
    objectRef: { resource: 'namespaces', name: 'shop' },
    requestObject: [{ op: 'remove', path: '/metadata/labels/pod-security.kubernetes.io~1enforce' }],
  });
  assert.deepEqual(ns.orchestrator.labels, ['pod-security.kubernetes.io/enforce-']);
});
