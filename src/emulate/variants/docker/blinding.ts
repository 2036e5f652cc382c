// ADS-0002: monitoring-blinding container settings, and ordinary logging configurations.
import type { Variant } from '../types.js';
import { RULES, type Box, type Spec, pos, ben } from './steps.js';

const S = 'ADS-0002';
const p = (id: string, family: string, technique: string, description: string, expect: string[], box: Box, more: Partial<Spec> = {}): Variant =>
  pos({ strategy: S, id, family, technique, description, expect, box, ...more });
const b = (id: string, family: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
  ben({ strategy: S, id, family, description, box, ...more });

/** Logging discarded or redirected, audit and sensor reach cut off. */
function blindingSettings(): Variant[] {
  return [
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
}

/** Ordinary logging and runtime configurations. */
function ordinaryLogging(): Variant[] {
  return [
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
  ];
}

export function ads0002(): Variant[] {
  return [...blindingSettings(), ...ordinaryLogging()];
}
