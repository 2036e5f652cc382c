import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageOwner, jsonPatchObject, keyValues, normalizeCapability, normalizeHostPath, podInfo, podOf, requestBody } from './podspec.js';

test('host paths resolve as the node does: //, ., .., trailing slash, /var/run is /run', () => {
  const cases: Array<[string, string]> = [
    ['/', '/'],
    ['//', '/'],
    ['/etc/', '/etc'],
    ['/etc//shadow', '/etc/shadow'],
    ['/var/log/../../etc', '/etc'],
    ['/./root/.ssh/', '/root/.ssh'],
    ['/var/run/docker.sock', '/run/docker.sock'],
    ['/var//run/', '/run'],
    ['/var/run/../etc', '/etc'], // .. after the symlink climbs from /run
    ['/var/runner', '/var/runner'],
    ['/..', '/'],
    ['relative/path', 'relative/path'],
  ];
  for (const [given, want] of cases) assert.equal(normalizeHostPath(given), want, given);
});

test('capabilities in any case, with or without CAP_, are one name', () => {
  assert.deepEqual(['CAP_SYS_ADMIN', 'sys_admin', ' Sys_Admin', 'NET_ADMIN'].map(normalizeCapability), ['SYS_ADMIN', 'SYS_ADMIN', 'SYS_ADMIN', 'NET_ADMIN']);
});

test('a JSON patch reads as the object it sets; removals are null', () => {
  const o = jsonPatchObject([
    { op: 'add', path: '/spec/template/spec/hostPID', value: true },
    { op: 'replace', path: '/spec/template/spec/containers/0/securityContext', value: { privileged: true } },
    { op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'dbg', image: 'busybox' } },
    { op: 'remove', path: '/metadata/labels/pod-security.kubernetes.io~1enforce' },
    { op: 'test', path: '/spec/x', value: 1 },
    'not an op',
  ]);
  assert.deepEqual(o, {
    spec: {
      template: { spec: { hostPID: true, containers: [{ securityContext: { privileged: true } }] } },
      ephemeralContainers: [{ name: 'dbg', image: 'busybox' }],
    },
    metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } },
  });
  assert.deepEqual(requestBody({ a: 1 }), { a: 1 });
  assert.deepEqual(keyValues({ a: 'b', c: null, n: 3 }), ['a=b', 'c-', 'n=3']);
});

test('the pod spec is found in every workload kind, a PodTemplate and a patch of one', () => {
  const spec = { containers: [{ name: 'c', image: 'x' }] };
  const tpl = { metadata: { annotations: { a: 'b' } }, spec };
  const kinds: unknown[] = [
    { kind: 'Pod', metadata: { name: 'p' }, spec },
    { kind: 'Deployment', spec: { template: tpl } },
    { kind: 'DaemonSet', spec: { template: tpl } },
    { kind: 'StatefulSet', spec: { template: tpl } },
    { kind: 'Job', spec: { template: tpl } },
    { kind: 'CronJob', spec: { jobTemplate: { spec: { template: tpl } } } },
    { kind: 'PodTemplate', template: tpl },
    { spec: { template: { spec: { hostNetwork: true } } } }, // a merge patch
  ];
  for (const k of kinds) assert.ok(podOf(k), JSON.stringify(k));
  assert.equal(podOf({ spec: { replicas: 3 } }), undefined, 'a scale patch is no pod');
  assert.equal(podOf({ kind: 'Binding', target: { name: 'node-1' } }), undefined);
  assert.deepEqual(podOf(kinds[5])!.metadata, { annotations: { a: 'b' } });
});

test('pod facts from init, regular and ephemeral containers, fields and legacy annotations', () => {
  const info = podInfo(
    {
      hostPID: true,
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      initContainers: [{ name: 'i', image: 'img/init:1', securityContext: { privileged: true } }],
      containers: [
        {
          name: 'a',
          image: 'img/app:1',
          securityContext: { capabilities: { add: ['cap_sys_admin'] }, procMount: 'Unmasked' },
          resources: { limits: { 'devices.kubevirt.io/kvm': '1', cpu: '1' } },
        },
        { name: 'b', image: 'img/app:1', securityContext: { allowPrivilegeEscalation: true, seLinuxOptions: { type: 'spc_t' } } },
      ],
      ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36', securityContext: { appArmorProfile: { type: 'Unconfined' } } }],
      volumes: [
        { name: 'h', hostPath: { path: '/var/run//docker.sock' } },
        { name: 'n', nfs: { server: 'files', path: '/x' } },
        { name: 's', csi: { driver: 'smb.csi.k8s.io' } },
        { name: 'cm', configMap: { name: 'cfg' } },
      ],
      serviceAccountName: 'sa',
    },
    { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined', 'fluentbit.io/exclude': 'true' } },
    'p',
  );
  assert.deepEqual(info, {
    name: 'p',
    privileged: true,
    host_pid: true,
    host_paths: ['/run/docker.sock'],
    images: ['img/init:1', 'img/app:1', 'busybox:1.36'],
    mixed_image_owners: true,
    capabilities: ['SYS_ADMIN'],
    security_opt: ['seccomp=unconfined', 'systempaths=unconfined', 'label=type:spc_t', 'no-new-privileges=false', 'apparmor=unconfined'],
    volume_types: ['hostPath', 'nfs', 'csi', 'configMap'],
    volume_drivers: ['smb.csi.k8s.io'],
    resources: ['devices.kubevirt.io/kvm', 'cpu'],
    container_kinds: ['init', 'container', 'ephemeral'],
    annotations: ['container.apparmor.security.beta.kubernetes.io/a=unconfined', 'fluentbit.io/exclude=true'],
    service_account: 'sa',
  });
});

test('a hardened pod gives nothing up; HostProcess is the Windows spelling of privileged', () => {
  const hardened = podInfo(
    {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        { name: 'web', image: 'nginx:1.27', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, procMount: 'Default' } },
      ],
    },
    {},
    undefined,
  );
  assert.deepEqual(hardened, { privileged: false, images: ['nginx:1.27'], container_kinds: ['container'] });
  const win = podInfo(
    {
      securityContext: { windowsOptions: { hostProcess: true } },
      hostNetwork: true,
      containers: [{ name: 'w', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' }],
    },
    {},
    undefined,
  );
  assert.equal(win.privileged, true);
});

test('an image publisher is its registry and first path segment; Docker Hub short names are library', () => {
  const cases: Array<[string, string]> = [
    ['busybox:1.36', 'docker.io/library'],
    ['docker.io/library/alpine:3.20', 'docker.io/library'],
    ['falcosecurity/falco:0.38.2', 'docker.io/falcosecurity'],
    ['docker.io/falcosecurity/falcoctl:0.9.0', 'docker.io/falcosecurity'],
    ['registry.k8s.io/sig-storage/nfsplugin:v4.8.0', 'registry.k8s.io/sig-storage'],
    ['registry.k8s.io/kube-proxy:v1.30.2', 'registry.k8s.io'],
    ['quay.io/prometheus/node-exporter@sha256:abc', 'quay.io/prometheus'],
    ['localhost:5000/team/app:1', 'localhost:5000/team'],
  ];
  for (const [img, want] of cases) assert.equal(imageOwner(img), want, img);
  const one = (images: string[]) => podInfo({ containers: images.map((image, i) => ({ name: `c${i}`, image })) }, {}, undefined).mixed_image_owners;
  assert.equal(one(['docker.io/falcosecurity/falco:0.38.2', 'falcosecurity/falcoctl:0.9.0']), undefined, 'one publisher');
  assert.equal(one(['quay.io/prometheus/node-exporter:v1.8.2', 'ghcr.io/attacker/tools:1']), true);
});
