// ADS-0003: escape-prone container settings, and ordinary deployments that use some of them.
import type { Variant } from '../types.js';
import { RULES, type Box, type Spec, apiVariant, pos, ben } from './steps.js';

const S = 'ADS-0003';
const T = 'T1611';
const p = (id: string, family: string, description: string, expect: string[], box: Box, more: Partial<Spec> = {}): Variant =>
  pos({ strategy: S, id, family, technique: T, description, expect, box, ...more });
const b = (id: string, family: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
  ben({ strategy: S, id, family, description, box, ...more });

/** Privileged, capabilities and security options, in every spelling the CLI accepts. */
function privilegeAndSecurityOpts(): Variant[] {
  return [
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
  ];
}

/** Host namespaces, sensitive host paths in every path form, devices and device rules. */
function namespacesAndMounts(): Variant[] {
  return [
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
  ];
}

/** Raw Engine API creates: the forms the CLI never writes. */
function engineApiSpellings(): Variant[] {
  return [
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
}

/** Documented deployments of ordinary software with similar settings. */
function ordinaryDeployments(): Variant[] {
  return [
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
  ];
}

export function ads0003(): Variant[] {
  return [...privilegeAndSecurityOpts(), ...namespacesAndMounts(), ...engineApiSpellings(), ...ordinaryDeployments()];
}
