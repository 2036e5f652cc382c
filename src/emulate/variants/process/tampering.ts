// ADS-0002: sensor and audit tampering, and the ordinary administration of the same tools.
import type { Variant } from '../types.js';
import { RULES, step, standin, type Spec, variants } from './steps.js';

const T = 'T1562.012';
const bin = (n: string) => `"$WORK/bin/${n}"`;

/** Audit rules removed or throttled, sensors stopped or killed. */
function rulesAndSensors(): Spec[] {
  return [
    {
      id: 'auditctl-never-rule',
      kind: 'positive',
      family: 'audit-tampering',
      technique: T,
      expect: [RULES.auditctl],
      description: 'auditctl adds a `never` rule ahead of the others (-A never,exit): events stop without deleting any rule (stand-in auditctl).',
      steps: [standin('auditctl'), step(`${bin('auditctl')} -A never,exit -F arch=b64 -S all`)],
    },
    {
      id: 'auditctl-rate-limit',
      kind: 'positive',
      family: 'audit-tampering',
      technique: T,
      expect: [RULES.auditctl],
      description: 'auditctl -r 1: a rate limit of one message a second drops nearly everything (stand-in auditctl).',
      steps: [standin('auditctl'), step(`${bin('auditctl')} -r 1`)],
    },
    {
      id: 'rc-service-stop-auditd',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'OpenRC (Alpine) `rc-service auditd stop` (stand-in rc-service).',
      steps: [standin('rc-service'), step(`${bin('rc-service')} auditd stop`)],
    },
    {
      id: 'supervisorctl-stop-falco',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'supervisord-managed sensor stopped with `supervisorctl stop falco` (stand-in).',
      steps: [standin('supervisorctl'), step(`${bin('supervisorctl')} stop falco`)],
    },
    {
      id: 'kill-pidof-auditd',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'kill fed by pidof: `kill -9 $(pidof auditd)` (the kill is a stand-in; the shell line is what names the sensor).',
      steps: [standin('kill'), step(`bash -c '"$WORK/bin/kill" -9 $(pidof auditd || echo 1)'`)],
    },
    {
      id: 'docker-stop-falco-container',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'The runtime sensor runs as a container; the adversary stops it with `docker stop` (a container of this run named like the sensor).',
      steps: [step('docker run -d $LABELS --name "$MARK-falco" --network none "$IMAGE" sleep 60 >/dev/null'), step('docker stop -t 1 "$MARK-falco"')],
    },
  ];
}

/** Audit logs truncated or vacuumed, audit configuration dropped in. */
function logsAndConfiguration(): Spec[] {
  return [
    {
      id: 'truncate-audit-log',
      kind: 'positive',
      family: 'log-tampering',
      technique: 'T1070.002',
      expect: [RULES.auditLogTamper],
      description: '`truncate -s 0 /var/log/audit/audit.log` (stand-in truncate: the log is not touched).',
      steps: [standin('truncate'), step(`${bin('truncate')} -s 0 /var/log/audit/audit.log`)],
    },
    {
      id: 'shell-redirect-audit-log',
      kind: 'positive',
      family: 'log-tampering',
      technique: 'T1070.002',
      expect: [RULES.auditLogTamper],
      description: "A shell empties the audit log with a redirection (`sh -c ': > /var/log/audit/audit.log'`; the shell is a stand-in that does nothing).",
      steps: [standin('sh'), step(`${bin('sh')} -c ': > /var/log/audit/audit.log'`)],
    },
    {
      id: 'journal-vacuum',
      kind: 'positive',
      family: 'log-tampering',
      technique: 'T1070.002',
      expect: [RULES.auditLogTamper],
      description: '`journalctl --vacuum-time=1s` drops every archived journal file (stand-in journalctl).',
      steps: [standin('journalctl'), step(`${bin('journalctl')} --rotate --vacuum-time=1s`)],
    },
    {
      id: 'audit-rules-d-drop-in',
      kind: 'positive',
      family: 'audit-tampering',
      technique: T,
      expect: [RULES.auditConfig],
      description: 'A drop-in written under /etc/audit/rules.d/ (picked up at the next augenrules load); removed afterwards.',
      steps: [step('mkdir -p /etc/audit/rules.d && printf "## emulation\\n" > "/etc/audit/rules.d/zz-$MARK.rules"')],
      cleanup: [step('rm -f "/etc/audit/rules.d/zz-$MARK.rules"')],
    },
  ];
}

/** Ordinary administration of the same tools. */
function ordinaryAdministration(): Spec[] {
  return [
    {
      id: 'auditctl-list-status',
      kind: 'benign',
      family: 'audit-tampering',
      description: 'Compliance check lists the loaded rules and the status (auditctl -l, -s; stand-in auditctl).',
      steps: [standin('auditctl'), step(`${bin('auditctl')} -l && ${bin('auditctl')} -s`)],
    },
    {
      id: 'systemctl-status-restart',
      kind: 'benign',
      family: 'sensor-stop',
      description: 'Operator checks and restarts the sensor after a config change (systemctl status / restart falco; stand-in).',
      steps: [standin('systemctl'), step(`${bin('systemctl')} status falco && ${bin('systemctl')} restart falco`)],
    },
    {
      id: 'read-audit-log',
      kind: 'benign',
      family: 'log-tampering',
      description: 'Investigator reads the audit log (tail, grep) and searches it with ausearch.',
      steps: [
        step(
          'tail -n 5 /var/log/audit/audit.log >/dev/null && grep -c type=SYSCALL /var/log/audit/audit.log >/dev/null; ausearch -k stowaway-exec -ts recent >/dev/null 2>&1; true',
        ),
      ],
    },
    {
      id: 'journal-vacuum-retention',
      kind: 'benign',
      family: 'log-tampering',
      description: 'Routine journal retention: journalctl --vacuum-time=2weeks (stand-in).',
      steps: [standin('journalctl'), step(`${bin('journalctl')} --vacuum-time=2weeks`)],
    },
  ];
}

export function tampering(): Variant[] {
  return variants('ADS-0002', [...rulesAndSensors(), ...logsAndConfiguration(), ...ordinaryAdministration()]);
}
