// Built-in pipelines: SigmaHQ taxonomy field names → stowaway event model paths
// (see docs/event-model.md). Rules for logsources without an entry here pass unchanged,
// so rules written directly against ECS names work as they are.
import { item, type Pipeline } from './types.js';

/**
 * Windows EventData names with an ECS home. The Windows normalizer fills exactly these from
 * EventData, so a rule reads the same value whichever path it names.
 */
export const WINDOWS_ECS: Record<string, string> = {
  Image: 'process.executable',
  CommandLine: 'process.command_line',
  ParentImage: 'process.parent.executable',
  ParentCommandLine: 'process.parent.command_line',
  CurrentDirectory: 'process.working_directory',
  OriginalFileName: 'process.pe.original_file_name',
  TargetFilename: 'file.path',
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  QueryName: 'dns.question.name',
  TargetObject: 'registry.path',
};

/** Fields of the Windows `<System>` header (spec: attributes joined with `_`). */
export const WINDOWS_SYSTEM: Record<string, string> = {
  EventID: 'winlog.event_id',
  Channel: 'winlog.channel',
  Provider_Name: 'winlog.provider_name',
  Computer: 'winlog.computer_name',
  EventRecordID: 'winlog.record_id',
  Level: 'winlog.level',
  Task: 'winlog.task',
  Keywords: 'winlog.keywords',
  Execution_ProcessID: 'winlog.process.pid',
  Execution_ThreadID: 'winlog.process.thread.id',
  Security_UserID: 'winlog.user.identifier',
};

/** Sigma's generic Linux taxonomy (process_creation, network_connection, file_event ...). */
export const LINUX_ECS: Record<string, string> = {
  Image: 'process.executable',
  CommandLine: 'process.command_line',
  ParentImage: 'process.parent.executable',
  ParentCommandLine: 'process.parent.command_line',
  CurrentDirectory: 'process.working_directory',
  User: 'user.name',
  ProcessId: 'process.pid',
  ParentProcessId: 'process.parent.pid',
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  TargetFilename: 'file.path',
};

/**
 * Sysmon for Linux EventData names (its manifest: events 1, 3, 4, 5, 9, 11, 16, 23, 255) with no
 * home in the generic Linux taxonomy above. The normalizer keeps every EventData value as text
 * under `winlog.event_data`, as Sysmon wrote it; a rule naming one of these reads it there, as
 * Windows Sysmon rules do. Sources that do not carry the field (audit, ECS) never match it.
 */
export const LINUX_SYSMON_FIELDS: readonly string[] = [
  'RuleName',
  'UtcTime',
  'ProcessGuid',
  'FileVersion',
  'Description',
  'Product',
  'Company',
  'OriginalFileName',
  'LogonGuid',
  'LogonId',
  'TerminalSessionId',
  'IntegrityLevel',
  'Hashes',
  'ParentProcessGuid',
  'ParentUser',
  'Protocol',
  'SourceIsIpv6',
  'SourceHostname',
  'SourcePortName',
  'DestinationIsIpv6',
  'DestinationPortName',
  'State',
  'Version',
  'SchemaVersion',
  'Device',
  'CreationUtcTime',
  'Configuration',
  'ConfigurationFileHash',
  'IsExecutable',
  'Archived',
  'ID',
];

const ZEEK_SERVICES = [
  'conn',
  'dns',
  'http',
  'ssl',
  'x509',
  'files',
  'smb_files',
  'smb_mapping',
  'dce_rpc',
  'kerberos',
  'ntlm',
  'rdp',
  'ssh',
  'smtp',
  'ftp',
  'notice',
  'weird',
];

export function windowsPipeline(): Pipeline {
  const onWindows = [{ type: 'logsource' as const, product: 'windows' }];
  return {
    name: 'stowaway-windows',
    priority: 100,
    vars: {},
    items: [
      item({ type: 'field_name_mapping', mapping: { ...WINDOWS_SYSTEM, ...WINDOWS_ECS } }, { id: 'windows-ecs', ruleConditions: onWindows }),
      item({ type: 'field_name_prefix', prefix: 'winlog.event_data.' }, { id: 'windows-event-data', ruleConditions: onWindows }),
    ],
  };
}

export function linuxPipeline(): Pipeline {
  const onLinux = [{ type: 'logsource' as const, product: 'linux' }];
  return {
    name: 'stowaway-linux',
    priority: 100,
    vars: {},
    // Order matters: auditd fields are prefixed first, so the taxonomy names below no longer
    // match them and only apply to the generic Linux categories.
    items: [
      item(
        { type: 'field_name_prefix', prefix: 'auditd.records.' },
        { id: 'auditd-records', ruleConditions: [{ type: 'logsource', product: 'linux', service: 'auditd' }] },
      ),
      item(
        { type: 'field_value_mapping', field: 'Initiated', target: 'network.direction', values: { true: 'outbound', false: 'inbound' } },
        { id: 'linux-initiated', ruleConditions: onLinux },
      ),
      item({ type: 'field_name_mapping', mapping: LINUX_ECS }, { id: 'linux-taxonomy', ruleConditions: onLinux }),
      item(
        { type: 'field_name_mapping', mapping: Object.fromEntries(LINUX_SYSMON_FIELDS.map((f) => [f, `winlog.event_data.${f}`])) },
        { id: 'linux-sysmon-fields', ruleConditions: onLinux },
      ),
    ],
  };
}

export function kubernetesPipeline(): Pipeline {
  const onK8s = [{ type: 'logsource' as const, product: 'kubernetes', service: 'audit' }];
  return {
    name: 'stowaway-kubernetes',
    priority: 100,
    vars: {},
    // The normalized fields (orchestrator.pod.privileged, orchestrator.pod.host_paths ...) keep
    // their names: they read one value whichever object or spelling the request used.
    items: [
      item({ type: 'field_name_prefix_mapping', mapping: { 'orchestrator.': 'orchestrator.' } }, { id: 'k8s-normalized', ruleConditions: onK8s }),
      item({ type: 'field_name_prefix', prefix: 'kubernetes.audit.' }, { id: 'k8s-audit', ruleConditions: onK8s }),
    ],
  };
}

export function zeekPipeline(): Pipeline {
  return {
    name: 'stowaway-zeek',
    priority: 100,
    vars: {},
    items: ZEEK_SERVICES.map((s) =>
      item({ type: 'field_name_prefix', prefix: `zeek.${s}.` }, { id: `zeek-${s}`, ruleConditions: [{ type: 'logsource', product: 'zeek', service: s }] }),
    ),
  };
}

export function builtinPipelines(): Pipeline[] {
  return [windowsPipeline(), linuxPipeline(), kubernetesPipeline(), zeekPipeline()];
}
