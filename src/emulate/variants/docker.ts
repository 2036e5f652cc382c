// Docker create-time configuration: every spelling of the isolation-breaking, monitoring-blinding,
// share-mounting and VM-enabling settings the strategies claim, and the documented deployments of
// ordinary software that look like them. Each variant runs for real (`docker run`/`create` against
// the local engine) and its recorded telemetry is the replay scenario.
//
// A variant creates its containers as "$MARK" with $LABELS, so the live runner attributes and
// sweeps them. `create` is used where starting the container would touch the host (a bind source
// `-v` would create, a share it would try to mount) or cannot work here (no such driver); the
// create event and its inspect document are what the rules read either way.
import type { EmulationStep } from '../live/format.js';
import type { Variant } from './types.js';

/** Rule ids the variants expect (any-of per variant). */
export const RULES = {
  privileged: '5af7ce7b-b27f-4e02-8dd8-9a91d75d910f',
  hostNamespaces: '4dc83c12-1543-404e-a7cc-dcd381819c38',
  capabilities: 'f35e6e6d-d702-417b-9584-9ec098caceab',
  sensitiveMount: '76a2a2e9-0f3e-43e7-a6ca-b430c850375b',
  securityOpt: '0230f14f-4281-484c-a4b5-dc0cec03f5b1',
  deviceAccess: '4a0a182e-39ec-4d4b-beed-a56e629ae493',
  logNone: 'b639f561-b3b2-41ea-a3c8-ee38511a66b3',
  logDiverted: '9e2f1d80-f227-4011-af81-dd7bc04dbf56',
  unapprovedRegistry: 'dbaf2a5b-5fd8-430f-be75-7efe5cc718a1',
  auditCapabilities: '37624561-37e4-4b76-9903-d9edb422a011',
  logMountWritable: '2696c07b-030b-45dc-8ef3-8accb14c2a94',
  shareVolume: '26621f18-10fe-4ee7-a45e-13a43e011e83',
  kvmDevice: 'ac0e33bf-5dc2-4c94-b04b-6001694572aa',
  rmHostData: 'd5f8e068-ed37-46ce-a516-cd9ae7fc0dc2',
} as const;

const host = (run: string, extra: Partial<EmulationStep> = {}): EmulationStep => ({ run, where: 'host', timeout_s: 30, allow_failure: false, ...extra });

interface Box {
  /** `run` starts it detached (a real workload); `create` only configures it. */
  verb: 'run' | 'create';
  args: string;
  /** Image reference; default the test image. A name given here is tagged from the test image for the run. */
  image?: string;
  /** Build the image on this host (FROM the test image, nothing added) instead of tagging it. */
  build?: boolean;
  network?: string;
  command?: string;
}

function boxStep(b: Box): EmulationStep {
  const image = b.image ? `"${b.image}:$MARK"` : '"$IMAGE"';
  const net = b.network ?? 'none';
  return host(
    `docker ${b.verb}${b.verb === 'run' ? ' -d' : ''} $LABELS --name "$MARK" --network ${net} ${b.args} ${image} ${b.command ?? 'sleep 30'}`.replace(
      /\s+/g,
      ' ',
    ),
  );
}

interface Spec {
  strategy: string;
  id: string;
  family: string;
  technique?: string;
  description: string;
  expect?: string[];
  box: Box;
  setup?: string[];
  cleanup?: string[];
}

/**
 * The Engine API called directly over the socket, no CLI: what an adversary who reached the socket
 * from inside a container does. `hostConfig` is the HostConfig JSON.
 */
function apiCreate(hostConfig: string): EmulationStep {
  const body = `{"Image":"'"$IMAGE"'","Cmd":["sleep","30"],"Labels":{"stowaway.emulation":"1","stowaway.emulation.scenario":"'"$MARK"'"},"HostConfig":${hostConfig}}`;
  return host(
    `curl -sSf --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -X POST "http://localhost/containers/create?name=$MARK" -d '${body}' >/dev/null`,
  );
}

function apiVariant(s: Omit<Spec, 'box'> & { hostConfig: string }): Variant {
  return {
    strategy: s.strategy,
    id: s.id,
    kind: 'positive',
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: s.expect ?? [],
    live: { steps: [apiCreate(s.hostConfig)] },
  };
}

function variant(kind: 'positive' | 'benign', s: Spec): Variant {
  const make = s.box.build
    ? `printf 'FROM %s\\n' "$IMAGE" | DOCKER_BUILDKIT=0 docker build -q $LABELS -t "${s.box.image}:$MARK" - >/dev/null`
    : `docker tag "$IMAGE" "${s.box.image}:$MARK"`;
  const setup = [...(s.box.image ? [make] : []), ...(s.setup ?? [])].map((r) => host(r));
  const cleanup = [...(s.cleanup ?? []), ...(s.box.image ? [`docker rmi "${s.box.image}:$MARK" >/dev/null 2>&1 || true`] : [])].map((r) =>
    host(r, { allow_failure: true }),
  );
  return {
    strategy: s.strategy,
    id: s.id,
    kind,
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: kind === 'positive' ? (s.expect ?? []) : [],
    live: { ...(setup.length ? { setup } : {}), steps: [boxStep(s.box)], ...(cleanup.length ? { cleanup } : {}) },
  };
}

const pos = (s: Spec): Variant => variant('positive', s);
const ben = (s: Spec): Variant => variant('benign', s);

// ---------------------------------------------------------------- ADS-0003: escape-prone settings
function ads0003(): Variant[] {
  const S = 'ADS-0003';
  const T = 'T1611';
  const p = (id: string, family: string, description: string, expect: string[], box: Box, more: Partial<Spec> = {}): Variant =>
    pos({ strategy: S, id, family, technique: T, description, expect, box, ...more });
  const out: Variant[] = [
    // This host's runc cannot apply the full capability set (nested): privileged and ALL are created, not started.
    p('cfg-privileged-flag', 'privileged', 'A container created with --privileged.', [RULES.privileged], { verb: 'create', args: '--privileged' }),
    p('cfg-privileged-create-eq', 'privileged', 'A container created with --privileged=true (the flag with a value).', [RULES.privileged], {
      verb: 'create',
      args: '--privileged=true',
    }),
    p('cfg-cap-sys-admin-lower', 'capability', 'SYS_ADMIN granted in lower case.', [RULES.capabilities], { verb: 'run', args: '--cap-add sys_admin' }),
    p('cfg-cap-all', 'capability', 'Every capability granted with --cap-add=ALL.', [RULES.capabilities], { verb: 'create', args: '--cap-add=ALL' }),
    p('cfg-cap-ptrace-prefixed', 'capability', 'SYS_PTRACE granted with its CAP_ prefix.', [RULES.capabilities], {
      verb: 'run',
      args: '--cap-add CAP_SYS_PTRACE',
    }),
    p('cfg-cap-dac-read-search', 'capability', 'DAC_READ_SEARCH (open_by_handle_at, the "shocker" escape).', [RULES.capabilities], {
      verb: 'run',
      args: '--cap-add DAC_READ_SEARCH',
    }),
    p('cfg-cap-sys-module', 'capability', 'SYS_MODULE: load a kernel module from the container.', [RULES.capabilities], {
      verb: 'run',
      args: '--cap-add SYS_MODULE',
    }),
    p('cfg-seccomp-unconfined', 'security-opt', 'Seccomp switched off with seccomp=unconfined.', [RULES.securityOpt], {
      verb: 'run',
      args: '--security-opt seccomp=unconfined',
    }),
    p('cfg-seccomp-colon', 'security-opt', 'Seccomp switched off in the older colon spelling seccomp:unconfined.', [RULES.securityOpt], {
      verb: 'run',
      args: '--security-opt seccomp:unconfined',
    }),
    p(
      'cfg-seccomp-allow-profile',
      'security-opt',
      'A seccomp profile file whose default action allows every syscall.',
      [RULES.securityOpt],
      { verb: 'run', args: '--security-opt seccomp="$WORK/allow-all.json"' },
      {
        setup: [`printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}' > "$WORK/allow-all.json"`],
      },
    ),
    p('cfg-apparmor-unconfined', 'security-opt', 'AppArmor switched off with apparmor=unconfined.', [RULES.securityOpt], {
      verb: 'run',
      args: '--security-opt apparmor=unconfined',
    }),
    p('cfg-selinux-disable', 'security-opt', 'SELinux labelling disabled with label=disable.', [RULES.securityOpt], {
      verb: 'run',
      args: '--security-opt label=disable',
    }),
    p('cfg-selinux-spc-t', 'security-opt', 'The super-privileged SELinux type spc_t.', [RULES.securityOpt], {
      verb: 'run',
      args: '--security-opt label=type:spc_t',
    }),
    p('cfg-systempaths-unconfined', 'security-opt', 'The masked /proc and /sys paths exposed with systempaths=unconfined.', [RULES.securityOpt], {
      verb: 'run',
      args: '--security-opt systempaths=unconfined',
    }),
    p('cfg-pid-host', 'host-namespace', 'The host PID namespace (--pid=host).', [RULES.hostNamespaces], { verb: 'run', args: '--pid=host' }),
    p('cfg-ipc-host', 'host-namespace', 'The host IPC namespace (--ipc host).', [RULES.hostNamespaces], { verb: 'run', args: '--ipc host' }),
    p('cfg-net-host', 'host-namespace', 'The host network namespace (--network host).', [RULES.hostNamespaces], { verb: 'run', args: '', network: 'host' }),
    p('cfg-sock-var-run', 'mount-path', 'The Docker socket by its /var/run path.', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /var/run/docker.sock:/var/run/docker.sock',
    }),
    p('cfg-sock-run-ro', 'mount-path', 'The Docker socket by its /run path, read-only (still a full API).', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /run/docker.sock:/tmp/d.sock:ro',
    }),
    p('cfg-sock-parent-dir', 'mount-path', 'The directory above the socket (/var/run) mounted: the socket is inside.', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /var/run:/host-run:ro',
    }),
    p('cfg-sock-mount-flag', 'mount-path', 'The socket through --mount type=bind.', [RULES.sensitiveMount], {
      verb: 'run',
      args: '--mount type=bind,source=/run/docker.sock,target=/d.sock',
    }),
    p('cfg-sock-dotdot', 'mount-path', 'The socket through a path with "..".', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /tmp/../var/run/docker.sock:/d.sock',
    }),
    p('cfg-sock-double-slash', 'mount-path', 'The socket through a path with doubled slashes.', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v //var//run//docker.sock:/d.sock',
    }),
    p('cfg-etc-trailing-slash', 'mount-path', 'The host /etc with a trailing slash.', [RULES.sensitiveMount], { verb: 'run', args: '-v /etc/:/host-etc:ro' }),
    p('cfg-etc-shadow-file', 'mount-path', 'The host shadow file alone.', [RULES.sensitiveMount], { verb: 'run', args: '-v /etc/shadow:/tmp/shadow:ro' }),
    p('cfg-host-root', 'mount-path', 'The host root file system read-only.', [RULES.sensitiveMount], { verb: 'run', args: '-v /:/host:ro' }),
    p('cfg-root-ssh', 'mount-path', "root's .ssh (create only: -v would make the directory on the host).", [RULES.sensitiveMount], {
      verb: 'create',
      args: '-v /root/.ssh:/keys',
    }),
    p('cfg-home-ssh', 'mount-path', "A user's .ssh under /home (create only).", [RULES.sensitiveMount], {
      verb: 'create',
      args: '-v /home/deploy/.ssh:/keys:ro',
    }),
    p('cfg-proc-host-root', 'mount-path', "/proc/1/root: the host's root through procfs (create only).", [RULES.sensitiveMount], {
      verb: 'create',
      args: '-v /proc/1/root:/hostroot',
    }),
    p('cfg-proc-sysrq', 'mount-path', '/proc/sysrq-trigger alone (create only).', [RULES.sensitiveMount], {
      verb: 'create',
      args: '-v /proc/sysrq-trigger:/sysrq',
    }),
    p('cfg-sys-fs-cgroup', 'mount-path', 'The host cgroup hierarchy writable (release_agent style escapes).', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /sys/fs/cgroup:/cg',
    }),
    p('cfg-docker-state', 'mount-path', "The runtime's state directory /var/lib/docker.", [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /var/lib/docker:/d:ro',
    }),
    p('cfg-kubelet-pods', 'mount-path', "The kubelet's pod directory (create only).", [RULES.sensitiveMount], {
      verb: 'create',
      args: '-v /var/lib/kubelet/pods:/pods:ro',
    }),
    p('cfg-usr-bin-writable', 'mount-path', "The host's /usr/bin writable: binaries can be replaced.", [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /usr/bin:/hostbin',
    }),
    p(
      'cfg-device-rule-block-mknod',
      'device-cgroup',
      'Block devices allowed by a device cgroup rule; the container makes the loop node itself with mknod.',
      [RULES.deviceAccess],
      {
        verb: 'run',
        args: "--device-cgroup-rule 'b 7:* rmw'",
        command: "sh -c 'mknod /tmp/loop0 b 7 0 && sleep 30'",
      },
    ),
    p('cfg-device-rule-any-char', 'device-cgroup', 'Every character device allowed (c *:* rwm).', [RULES.deviceAccess], {
      verb: 'run',
      args: "--device-cgroup-rule 'c *:* rwm'",
    }),
    p('cfg-device-loop', 'device', 'A host block device passed in with --device.', [RULES.deviceAccess], { verb: 'run', args: '--device /dev/loop0' }),
    p('cfg-device-loop-renamed', 'device', 'A host block device passed in under another name.', [RULES.deviceAccess], {
      verb: 'run',
      args: '--device /dev/loop0:/dev/backing:rw',
    }),
    p('cfg-sock-selinux-relabel', 'mount-path', 'The socket with the SELinux relabel suffix (:z).', [RULES.sensitiveMount], {
      verb: 'run',
      args: '-v /var/run/docker.sock:/d.sock:z',
    }),
    p('cfg-host-root-mount-src', 'mount-path', 'The host root through --mount with the src/dst/readonly short keys.', [RULES.sensitiveMount], {
      verb: 'run',
      args: '--mount type=bind,src=/,dst=/host,readonly',
    }),
    apiVariant({
      strategy: S,
      id: 'cfg-api-binds-host-root',
      family: 'engine-api',
      technique: T,
      description: 'The Engine API called over the socket with curl: HostConfig.Binds ["/:/host"], no CLI involved.',
      expect: [RULES.sensitiveMount],
      hostConfig: '{"Binds":["/:/host"],"NetworkMode":"none"}',
    }),
    apiVariant({
      strategy: S,
      id: 'cfg-api-privileged',
      family: 'engine-api',
      technique: T,
      description: 'The Engine API called over the socket: HostConfig.Privileged true.',
      expect: [RULES.privileged],
      hostConfig: '{"Privileged":true,"NetworkMode":"none"}',
    }),
    apiVariant({
      strategy: S,
      id: 'cfg-api-mounts-socket',
      family: 'engine-api',
      technique: T,
      description: 'The Engine API: HostConfig.Mounts with a bind of /run/docker.sock.',
      expect: [RULES.sensitiveMount],
      hostConfig: '{"Mounts":[{"Type":"bind","Source":"/run/docker.sock","Target":"/d.sock"}],"NetworkMode":"none"}',
    }),
    apiVariant({
      strategy: S,
      id: 'cfg-api-cap-and-seccomp',
      family: 'engine-api',
      technique: T,
      description: 'The Engine API: CapAdd SYS_ADMIN and SecurityOpt seccomp=unconfined, the classic cgroup escape setup.',
      expect: [RULES.capabilities, RULES.securityOpt],
      hostConfig: '{"CapAdd":["SYS_ADMIN"],"SecurityOpt":["seccomp=unconfined"],"NetworkMode":"none"}',
    }),
  ];
  const b = (id: string, family: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
    ben({ strategy: S, id, family, description, box, ...more });
  out.push(
    b(
      'cfg-nginx-conf-ro',
      'benign-mount',
      'nginx with its configuration file mounted read-only, as its image documentation shows.',
      { verb: 'run', image: 'nginx', args: '-v "$WORK/nginx.conf:/etc/nginx/nginx.conf:ro"' },
      {
        setup: ['printf "events {}\\nhttp { server { listen 8080; } }\\n" > "$WORK/nginx.conf"'],
      },
    ),
    b(
      'cfg-postgres-named-volume',
      'benign-mount',
      'postgres with its data in a named volume.',
      { verb: 'run', image: 'postgres', args: '-e POSTGRES_PASSWORD=example -v "$MARK-pgdata:/var/lib/postgresql/data"' },
      {
        cleanup: ['docker volume rm "$MARK-pgdata" >/dev/null 2>&1 || true'],
      },
    ),
    b('cfg-localtime-ro', 'benign-mount', "An application given the host's time zone: /etc/localtime and /etc/timezone read-only.", {
      verb: 'run',
      args: '-v /etc/localtime:/etc/localtime:ro -v /etc/timezone:/etc/timezone:ro',
    }),
    b('cfg-ca-bundle-ro', 'benign-mount', "A client given the host's CA bundle read-only.", {
      verb: 'run',
      args: '-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro',
    }),
    b(
      'cfg-hardened-service',
      'benign-security',
      'A hardened service: all capabilities dropped but NET_BIND_SERVICE, no-new-privileges, read-only root, tmpfs /tmp.',
      {
        verb: 'run',
        args: '--cap-drop ALL --cap-add NET_BIND_SERVICE --security-opt no-new-privileges --read-only --tmpfs /tmp',
      },
    ),
    b(
      'cfg-custom-seccomp-profile',
      'benign-security',
      'A service with its own restrictive seccomp profile (default action: deny).',
      { verb: 'create', args: '--security-opt seccomp="$WORK/strict.json"' },
      {
        setup: [
          `printf '%s' '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group","nanosleep","clock_nanosleep"],"action":"SCMP_ACT_ALLOW"}]}' > "$WORK/strict.json"`,
        ],
      },
    ),
    // Created, not started: rslave needs / to be a shared mount, which it is not on this host.
    b('cfg-node-exporter', 'benign-agent', 'Prometheus node-exporter as documented: host network and PID namespaces, / read-only at /host.', {
      verb: 'create',
      image: 'quay.io/prometheus/node-exporter',
      network: 'host',
      args: '--pid=host -v /:/host:ro,rslave',
    }),
    b(
      'cfg-cadvisor',
      'benign-agent',
      'cAdvisor as documented: privileged, /dev/kmsg, /, /var/run, /sys and /var/lib/docker read-only (created: privileged cannot start here).',
      {
        verb: 'create',
        image: 'gcr.io/cadvisor/cadvisor',
        args: '--privileged --device /dev/kmsg -v /:/rootfs:ro -v /var/run:/var/run:ro -v /sys:/sys:ro -v /var/lib/docker/:/var/lib/docker:ro',
      },
    ),
    b('cfg-datadog-agent', 'benign-agent', 'The Datadog agent as documented: Docker socket and /proc, cgroups read-only, host PID and cgroup namespaces.', {
      verb: 'run',
      image: 'gcr.io/datadoghq/agent',
      args: '--cgroupns host --pid host -v /var/run/docker.sock:/var/run/docker.sock:ro -v /proc/:/host/proc/:ro -v /sys/fs/cgroup/:/host/sys/fs/cgroup:ro',
    }),
    b(
      'cfg-falco-sensor',
      'benign-agent',
      'The Falco sensor as documented (modern eBPF): privileged, --rm, Docker socket, /proc and /etc read-only (created: privileged cannot start here).',
      {
        verb: 'create',
        image: 'falcosecurity/falco',
        args: '--rm --privileged -v /var/run/docker.sock:/host/var/run/docker.sock -v /proc:/host/proc:ro -v /etc:/host/etc:ro',
      },
    ),
    b('cfg-gitlab-runner', 'benign-agent', 'A GitLab runner as documented: the Docker socket and its own config directory.', {
      verb: 'run',
      image: 'gitlab/gitlab-runner',
      args: '-v "$WORK/gitlab-runner:/etc/gitlab-runner" -v /var/run/docker.sock:/var/run/docker.sock',
    }),
    b('cfg-ci-workspace', 'benign-mount', 'A CI build step: the checkout mounted as the working directory.', {
      verb: 'run',
      args: '-v "$WORK/src:/src" -w /src',
    }),
    b('cfg-redis-tmpfs', 'benign-security', 'redis as an unprivileged user with a tmpfs for its data.', {
      verb: 'run',
      image: 'redis',
      args: '--user 999:999 --tmpfs /data',
    }),
    b('cfg-dev-log-socket', 'benign-mount', "An application logging to the host's syslog socket /dev/log.", { verb: 'create', args: '-v /dev/log:/dev/log' }),
  );
  return out;
}

// ------------------------------------------------------- ADS-0002: monitoring-blinding settings
function ads0002(): Variant[] {
  const S = 'ADS-0002';
  const p = (id: string, family: string, technique: string, description: string, expect: string[], box: Box, more: Partial<Spec> = {}): Variant =>
    pos({ strategy: S, id, family, technique, description, expect, box, ...more });
  const out: Variant[] = [
    p('cfg-log-none', 'log-driver', 'T1562.006', 'Output discarded with --log-driver none.', [RULES.logNone], { verb: 'run', args: '--log-driver none' }),
    p('cfg-log-none-eq-create', 'log-driver', 'T1562.006', 'Output discarded, --log-driver=none on docker create.', [RULES.logNone], {
      verb: 'create',
      args: '--log-driver=none',
    }),
    p('cfg-log-syslog-remote', 'log-driver', 'T1562.006', "Output sent to a remote syslog address instead of the host's collection.", [RULES.logDiverted], {
      verb: 'create',
      args: '--log-driver syslog --log-opt syslog-address=udp://198.51.100.7:514',
    }),
    p('cfg-log-gelf-remote', 'log-driver', 'T1562.006', 'Output sent to a remote GELF endpoint.', [RULES.logDiverted], {
      verb: 'create',
      args: '--log-driver gelf --log-opt gelf-address=udp://198.51.100.7:12201',
    }),
    p('cfg-log-fluentd-remote', 'log-driver', 'T1562.006', 'Output sent to a remote fluentd, asynchronously.', [RULES.logDiverted], {
      verb: 'create',
      args: '--log-driver fluentd --log-opt fluentd-address=198.51.100.7:24224 --log-opt fluentd-async=true',
    }),
    p('cfg-cap-audit-control', 'capability', 'T1562.012', 'AUDIT_CONTROL: the container can delete the host audit rules.', [RULES.auditCapabilities], {
      verb: 'run',
      args: '--cap-add AUDIT_CONTROL',
    }),
    p('cfg-cap-audit-control-lower', 'capability', 'T1562.012', 'AUDIT_CONTROL granted as cap_audit_control.', [RULES.auditCapabilities], {
      verb: 'run',
      args: '--cap-add cap_audit_control',
    }),
    p('cfg-cap-syslog', 'capability', 'T1562.001', 'SYSLOG: the container can clear the kernel ring buffer.', [RULES.auditCapabilities], {
      verb: 'run',
      args: '--cap-add SYSLOG',
    }),
    p('cfg-audit-log-rw', 'mount-path', 'T1562.012', 'The audit log directory mounted writable.', [RULES.logMountWritable], {
      verb: 'run',
      args: '-v /var/log/audit:/audit',
    }),
    p('cfg-var-log-rw-trailing', 'mount-path', 'T1562.006', 'The host /var/log mounted writable, spelled with a trailing slash.', [RULES.logMountWritable], {
      verb: 'run',
      args: '-v /var/log/:/hostlog',
    }),
    p('cfg-audit-rules-rw', 'mount-path', 'T1562.012', 'The audit configuration /etc/audit mounted writable.', [RULES.logMountWritable], {
      verb: 'run',
      args: '-v /etc/audit:/etc-audit',
    }),
    p(
      'cfg-journal-rw',
      'mount-path',
      'T1562.006',
      'The volatile journal /run/log/journal by its /var/run spelling, writable (create only).',
      [RULES.logMountWritable],
      {
        verb: 'create',
        args: '-v /var/run/log/journal:/journal',
      },
    ),
    p('cfg-registry-host', 'registry', 'T1610', 'An image from a registry host outside the approved list.', [RULES.unapprovedRegistry], {
      verb: 'run',
      image: 'registry.example.net:5000/tools/busybox',
      args: '',
    }),
    p('cfg-registry-ip', 'registry', 'T1610', 'An image from a registry addressed by IP and port.', [RULES.unapprovedRegistry], {
      verb: 'run',
      image: '10.13.37.5:5000/x/agent',
      args: '',
    }),
    p('cfg-registry-localhost', 'registry', 'T1610', 'An image from a registry on localhost (a tunnel to anywhere).', [RULES.unapprovedRegistry], {
      verb: 'run',
      image: 'localhost:5000/implant',
      args: '',
    }),
  ];
  const b = (id: string, family: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
    ben({ strategy: S, id, family, description, box, ...more });
  out.push(
    b('cfg-json-file-rotation', 'benign-logging', 'json-file logging with rotation options, as Docker documents for production.', {
      verb: 'run',
      args: '--log-driver json-file --log-opt max-size=10m --log-opt max-file=3',
    }),
    b('cfg-local-log-driver', 'benign-logging', 'The local log driver (compressed files on the host).', { verb: 'run', args: '--log-driver local' }),
    b('cfg-journald-log-driver', 'benign-logging', 'The journald log driver with a tag (create only: no journal runs here).', {
      verb: 'create',
      args: '--log-driver journald --log-opt tag=app',
    }),
    b('cfg-fluent-bit', 'benign-agent', 'Fluent Bit reading /var/log and the container logs read-only, as documented.', {
      verb: 'run',
      image: 'fluent/fluent-bit',
      args: '-v /var/log:/var/log:ro -v /var/lib/docker/containers:/var/lib/docker/containers:ro',
    }),
    b(
      'cfg-promtail',
      'benign-agent',
      'Promtail tailing /var/log read-only with its config file.',
      { verb: 'run', image: 'grafana/promtail', args: '-v /var/log:/var/log:ro -v "$WORK/promtail.yml:/etc/promtail/config.yml:ro"' },
      {
        setup: ['printf "server:\\n  http_listen_port: 9080\\n" > "$WORK/promtail.yml"'],
      },
    ),
    b('cfg-fluentd-daemonset', 'benign-agent', 'fluentd as its Kubernetes daemonset image runs it: /var/log writable for position files.', {
      verb: 'run',
      image: 'fluent/fluentd-kubernetes-daemonset',
      args: '-v /var/log:/var/log -v /var/lib/docker/containers:/var/lib/docker/containers:ro',
    }),
    b('cfg-local-build', 'benign-image', 'An image built on this host (docker build) and run: no registry involved.', {
      verb: 'run',
      image: 'myapp',
      build: true,
      args: '',
    }),
    b('cfg-approved-registry', 'benign-image', 'The Kubernetes pause image from registry.k8s.io (an approved registry).', {
      verb: 'run',
      image: 'registry.k8s.io/pause',
      args: '',
    }),
    b('cfg-mcr-image', 'benign-image', 'A .NET runtime image from mcr.microsoft.com (an approved registry).', {
      verb: 'run',
      image: 'mcr.microsoft.com/dotnet/runtime',
      args: '',
    }),
  );
  return out;
}

// ------------------------------------------------------------------ ADS-0001: network share volumes
function ads0001(): Variant[] {
  const S = 'ADS-0001';
  const T = 'T1039';
  const share = (type: string, device: string, o: string): string =>
    `--mount 'type=volume,dst=/mnt/share,volume-driver=local,volume-opt=type=${type},volume-opt=device=${device},"volume-opt=o=${o}"'`;
  const p = (id: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
    pos({ strategy: S, id, family: 'share-volume', technique: T, description, expect: [RULES.shareVolume], box, ...more });
  const namedVolume = (type: string, device: string, o: string): string[] => [
    `docker volume create --label stowaway.emulation=1 --label "stowaway.scenario=$MARK" --driver local --opt type=${type} --opt device=${device} --opt o=${o} "$MARK-share" >/dev/null`,
  ];
  const dropVolume = ['docker volume rm "$MARK-share" >/dev/null 2>&1 || true'];
  const out: Variant[] = [
    p('cfg-cifs-mount-flag', 'A CIFS share as a local-driver volume in --mount.', {
      verb: 'create',
      args: share('cifs', '//fileserver/admin', 'username=svc,password=x'),
    }),
    p('cfg-cifs-upper-case', 'The same CIFS volume with the type in capitals.', { verb: 'create', args: share('CIFS', '//fileserver/admin', 'username=svc') }),
    p('cfg-smb3-mount-flag', 'An SMB3 share as a local-driver volume.', { verb: 'create', args: share('smb3', '//fileserver/finance', 'username=svc') }),
    p('cfg-nfs-mount-flag', 'An NFS export as a local-driver volume.', { verb: 'create', args: share('nfs', ':/exports/home', 'addr=10.0.0.5,ro') }),
    p('cfg-nfs4-mount-flag', 'An NFSv4 export as a local-driver volume.', { verb: 'create', args: share('nfs4', ':/', 'addr=10.0.0.5') }),
    p(
      'cfg-named-cifs-volume',
      'A CIFS volume made first with docker volume create, then used by name with -v.',
      { verb: 'create', args: '-v "$MARK-share:/mnt/share"' },
      {
        setup: namedVolume('cifs', '//fileserver/admin', 'username=svc'),
        cleanup: dropVolume,
      },
    ),
    p(
      'cfg-named-nfs-volume',
      'An NFS volume made first, then used by name with --mount source=.',
      { verb: 'create', args: '--mount "source=$MARK-share,target=/mnt/share"' },
      {
        setup: namedVolume('nfs', ':/exports', 'addr=10.0.0.5'),
        cleanup: dropVolume,
      },
    ),
    // A Linux bind source written `//fileserver/share` is the local path /fileserver/share, not a share:
    // UNC sources are a Windows-container spelling and are not generated here.
    p('cfg-cifs-ip-admin-share', "A host's administrative share (C$) by IP address as a CIFS volume.", {
      verb: 'create',
      args: share('cifs', '//10.0.0.5/C$', 'username=administrator,vers=3.0'),
    }),
  ];
  const b = (id: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
    ben({ strategy: S, id, family: 'benign-volume', description, box, ...more });
  out.push(
    b(
      'cfg-named-local-volume',
      'An application with its state in a named local volume.',
      { verb: 'run', args: '-v "$MARK-data:/var/lib/app"' },
      { cleanup: ['docker volume rm "$MARK-data" >/dev/null 2>&1 || true'] },
    ),
    b(
      'cfg-local-bind-volume',
      'A local volume that binds a host directory (type none, o=bind), as Docker documents.',
      { verb: 'run', args: '-v "$MARK-share:/data"' },
      {
        setup: [
          'mkdir -p "$WORK/data"',
          'docker volume create --label stowaway.emulation=1 --label "stowaway.scenario=$MARK" --driver local --opt type=none --opt o=bind --opt device="$WORK/data" "$MARK-share" >/dev/null',
        ],
        cleanup: dropVolume,
      },
    ),
    b('cfg-tmpfs-mount', 'A cache on tmpfs (--mount type=tmpfs).', { verb: 'run', args: '--mount type=tmpfs,dst=/cache,tmpfs-size=16m' }),
    b('cfg-tmpfs-volume', 'A local-driver volume of type tmpfs.', {
      verb: 'run',
      args: "--mount 'type=volume,dst=/scratch,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs'",
    }),
    b(
      'cfg-nginx-static-ro',
      'nginx serving a static site mounted read-only.',
      { verb: 'run', image: 'nginx', args: '-v "$WORK/site:/usr/share/nginx/html:ro"' },
      { setup: ['mkdir -p "$WORK/site"', 'echo ok > "$WORK/site/index.html"'] },
    ),
    b('cfg-ci-builds-dir', 'A CI job with its builds directory bind-mounted.', { verb: 'run', args: '-v "$WORK/builds:/builds" -w /builds' }),
  );
  return out;
}

// ------------------------------------------------------------- ADS-0004: KVM given to a container
function ads0004(): Variant[] {
  const S = 'ADS-0004';
  const T = 'T1564.006';
  // No /dev/kvm here: a node with the KVM numbers made in the work directory is the same device to the kernel.
  const kvmNode = ['mknod "$WORK/kvm" c 10 232'];
  const p = (id: string, description: string, box: Box): Variant =>
    pos({ strategy: S, id, family: 'kvm-device', technique: T, description, expect: [RULES.kvmDevice], box, setup: kvmNode });
  const out: Variant[] = [
    p('cfg-kvm-node-renamed', 'A KVM device node from elsewhere passed in as /dev/kvm.', { verb: 'create', args: '--device "$WORK/kvm:/dev/kvm"' }),
    p('cfg-kvm-device-perms', 'The same with explicit cgroup permissions (rw).', { verb: 'create', args: '--device "$WORK/kvm:/dev/kvm:rw"' }),
    pos({
      strategy: S,
      id: 'cfg-kvm-cgroup-mknod',
      family: 'device-cgroup',
      technique: T,
      description: 'No --device: a cgroup rule allows the KVM device and the container makes /dev/kvm itself.',
      expect: [RULES.kvmDevice],
      box: { verb: 'run', args: "--device-cgroup-rule 'c 10:232 rwm'", command: "sh -c 'mknod /dev/kvm c 10 232 && sleep 30'" },
    }),
    p('cfg-kvm-bind-cgroup', 'The node bind-mounted onto /dev/kvm with a cgroup rule for major 10.', {
      verb: 'create',
      args: `-v "$WORK/kvm:/dev/kvm" --device-cgroup-rule 'c 10:* rwm'`,
    }),
  ];
  const b = (id: string, description: string, box: Box): Variant => ben({ strategy: S, id, family: 'benign-device', description, box });
  out.push(
    b('cfg-fuse-device', 'rclone or sshfs in a container: /dev/fuse.', { verb: 'run', args: '--device /dev/fuse' }),
    b('cfg-usb-serial-rule', 'Home Assistant with a USB serial stick: a cgroup rule for ttyUSB (major 188).', {
      verb: 'run',
      args: "--device-cgroup-rule 'c 188:* rmw'",
    }),
    b('cfg-tun-device', 'A userspace VPN client given /dev/net/tun.', { verb: 'run', args: '--device /dev/net/tun' }),
    b('cfg-tun-cgroup-rule', 'A VPN client allowed the tun device (10:200) by a cgroup rule, as WireGuard/OpenVPN images document.', {
      verb: 'run',
      args: "--device-cgroup-rule 'c 10:200 rwm'",
    }),
  );
  return out;
}

// ------------------------------------------------- ADS-0005: auto-removed containers (noise class)
function ads0005(): Variant[] {
  const S = 'ADS-0005';
  return [
    pos({
      strategy: S,
      id: 'cfg-rm-host-data-ro',
      family: 'rm-host-data',
      technique: 'T1005',
      description: 'A throwaway (--rm) container that reads host data under /srv read-only.',
      expect: [RULES.rmHostData],
      box: { verb: 'create', args: '--rm -v /srv/:/data:ro' },
    }),
    ben({
      strategy: S,
      id: 'cfg-rm-localtime',
      family: 'benign-rm',
      description: 'A one-shot --rm job given the host time zone read-only.',
      box: { verb: 'run', args: '--rm -v /etc/localtime:/etc/localtime:ro', command: 'sleep 2' },
    }),
    ben({
      strategy: S,
      id: 'cfg-rm-named-volume',
      family: 'benign-rm',
      description: 'A one-shot --rm job writing to a named volume (a database dump).',
      box: { verb: 'run', args: '--rm -v "$MARK-dumps:/dumps"', command: 'sh -c "echo dump > /dumps/db.sql"' },
      cleanup: ['docker volume rm "$MARK-dumps" >/dev/null 2>&1 || true'],
    }),
  ];
}

export const generate = (): Variant[] => [...ads0001(), ...ads0002(), ...ads0003(), ...ads0004(), ...ads0005()];
