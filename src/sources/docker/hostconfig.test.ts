import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devicePaths, hostPaths, normalizeHostPath, parseDeviceRules, parseSecurityOpt } from './hostconfig.js';
import { inspectToContainer } from './normalize.js';

test('host paths: every spelling of the runtime socket is one path', () => {
  for (const p of [
    '/var/run/docker.sock',
    '/run/docker.sock',
    '//var//run/docker.sock',
    '/var/run/docker.sock/',
    '/tmp/../var/run/./docker.sock',
    '/run/../run/docker.sock',
  ])
    assert.equal(normalizeHostPath(p), '/run/docker.sock', p);
  assert.equal(normalizeHostPath('/var/run'), '/run');
  assert.equal(normalizeHostPath('/var/run/'), '/run');
  assert.equal(normalizeHostPath('/var/running'), '/var/running', 'only the /var/run directory is the symlink');
  assert.equal(normalizeHostPath('/etc/'), '/etc');
  assert.equal(normalizeHostPath('/..'), '/');
  assert.equal(normalizeHostPath('/'), '/');
  assert.equal(normalizeHostPath('pgdata'), undefined, 'a named volume is not a host path');
  assert.equal(normalizeHostPath(undefined), undefined);
});

test('host paths: binds only, read-only ones left out of the writable list', () => {
  const r = hostPaths([
    { type: 'bind', source: '/etc/localtime', destination: '/etc/localtime', rw: false },
    { type: 'bind', source: '/var/run/', destination: '/host-run', rw: true },
    { type: 'volume', source: '/var/lib/docker/volumes/pgdata/_data', destination: '/var/lib/postgresql/data', rw: true },
    { type: 'tmpfs', destination: '/tmp' },
    { source: '/srv/data', destination: '/data', mode: 'ro' },
  ]);
  assert.deepEqual(r.all, ['/etc/localtime', '/run', '/srv/data']);
  assert.deepEqual(r.rw, ['/run']);
});

test('security options: every spelling of unconfined, and profiles that confine nothing', () => {
  assert.deepEqual(parseSecurityOpt(['seccomp=unconfined']), { seccomp: 'unconfined' });
  assert.deepEqual(parseSecurityOpt(['seccomp:unconfined', 'apparmor:unconfined']), { seccomp: 'unconfined', apparmor: 'unconfined' });
  assert.deepEqual(parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}']), { seccomp: 'permissive' });
  assert.deepEqual(parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_LOG"}']), { seccomp: 'permissive' });
  assert.deepEqual(parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}']), {
    seccomp: 'profile',
  });
  assert.deepEqual(parseSecurityOpt(['label=disable']), { selinux: 'disable' });
  assert.deepEqual(parseSecurityOpt(['label:type:spc_t']), { selinux: 'spc_t' });
  assert.deepEqual(parseSecurityOpt(['label=level:s0:c100,c200']), undefined, 'an MCS level confines');
  assert.deepEqual(parseSecurityOpt(['no-new-privileges']), { no_new_privileges: true });
  assert.deepEqual(parseSecurityOpt(['no-new-privileges:false']), { no_new_privileges: false });
  assert.deepEqual(parseSecurityOpt(['no-new-privileges=true']), { no_new_privileges: true });
  assert.deepEqual(parseSecurityOpt(['systempaths=unconfined']), { systempaths: 'unconfined' });
  assert.equal(parseSecurityOpt(undefined), undefined);
});

test('device cgroup rules and device paths', () => {
  assert.deepEqual(parseDeviceRules(['c 10:232 rwm', 'b *:* rmw', 'a', 'c 189:* rw', 'nonsense']), [
    { type: 'c', major: '10', minor: '232', access: 'rwm' },
    { type: 'b', major: '*', minor: '*', access: 'rmw' },
    { type: 'a', major: '*', minor: '*', access: 'rwm' },
    { type: 'c', major: '189', minor: '*', access: 'rw' },
  ]);
  assert.deepEqual(devicePaths([{ PathOnHost: '/dev/loop0', PathInContainer: '/dev//sdz/', CgroupPermissions: 'rwm' }]), ['/dev/loop0', '/dev/sdz']);
});

test('inspect: the normalized fields sit beside the raw ones', () => {
  const c = inspectToContainer({
    Id: 'a'.repeat(64),
    Config: { Image: 'stowaway/busybox:test' },
    HostConfig: {
      Binds: ['/var/run/:/sock', '/etc/localtime:/etc/localtime:ro'],
      SecurityOpt: ['apparmor=unconfined'],
      DeviceCgroupRules: ['b 7:* rmw'],
      Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
    },
  });
  assert.deepEqual(c.host_paths, ['/run', '/etc/localtime']);
  assert.deepEqual(c.host_paths_rw, ['/run']);
  assert.deepEqual(c.security, { apparmor: 'unconfined' });
  assert.deepEqual(c.security_opt, ['apparmor=unconfined']);
  assert.deepEqual(c.device_rules, [{ type: 'b', major: '7', minor: '*', access: 'rmw' }]);
  assert.deepEqual(c.device_paths, ['/dev/fuse']);
  assert.equal(c.mounts![0]!.source, '/var/run/', 'the raw source is kept as Docker reported it');
});

test('a volume made first and used by name carries the options of its own inspect document', async () => {
  const { DockerContext, normalizeWithContext } = await import('./normalize.js');
  const id = 'b'.repeat(64);
  const ctx = new DockerContext([
    {
      Id: id,
      Config: { Image: 'stowaway/busybox:test' },
      HostConfig: { Binds: ['share1:/mnt/share'] },
      Mounts: [{ Type: 'volume', Name: 'share1', Source: '/var/lib/docker/volumes/share1/_data', Destination: '/mnt/share', Driver: 'local', RW: true }],
    },
    {
      Name: 'share1',
      Driver: 'local',
      Mountpoint: '/var/lib/docker/volumes/share1/_data',
      Options: { type: 'cifs', device: '//fileserver/admin', o: 'username=svc' },
    },
  ]);
  const r = normalizeWithContext(
    ctx,
    { Type: 'container', Action: 'create', Actor: { ID: id, Attributes: { name: 'x', image: 'stowaway/busybox:test' } }, timeNano: 1796392173051136300 },
    'test',
  );
  assert.ok('event' in r);
  const m = r.event.container!.mounts!.find((x) => x.destination === '/mnt/share')!;
  assert.deepEqual(m.volume, { name: 'share1', driver: 'local', options: { type: 'cifs', device: '//fileserver/admin', o: 'username=svc' } });
  assert.equal(r.event.container!.host_paths, undefined, 'a named volume is not a host path');
});
