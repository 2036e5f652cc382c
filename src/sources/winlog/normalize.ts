// Windows event JSON → StowawayEvent. Accepts the `Event.System/EventData` shape (evtx dumped
// to JSON, attributes under `#attributes`) and Winlogbeat/ECS documents (`winlog.event_data`).
// Flat documents (System and EventData fields side by side, `EventID` + `Channel` at the top)
// too. `winlog.*` is always filled; ECS process/file/network fields where EventData names them.
import { textOf } from '../../model/values.js';
import { isForbiddenKey } from '../json-limits.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { LogSource, StowawayEvent } from '../../model/event.js';
import { WINDOWS_ECS } from '../../sigma/pipeline/builtin.js';
import { FLAT_SYSTEM } from '../sysmon-linux/normalize.js';

type Raw = Record<string, unknown>;
const isObj = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);

const SYSMON_CATEGORY: Record<number, string> = {
  1: 'process_creation',
  2: 'file_change',
  3: 'network_connection',
  4: 'sysmon_status',
  5: 'process_termination',
  6: 'driver_load',
  7: 'image_load',
  8: 'create_remote_thread',
  9: 'raw_access_thread',
  10: 'process_access',
  11: 'file_event',
  13: 'registry_set',
  14: 'registry_rename',
  15: 'create_stream_hash',
  16: 'sysmon_status',
  17: 'pipe_created',
  18: 'pipe_created',
  19: 'wmi_event',
  20: 'wmi_event',
  21: 'wmi_event',
  22: 'dns_query',
  23: 'file_delete',
  24: 'clipboard_capture',
  25: 'process_tampering',
  26: 'file_delete_detected',
  27: 'file_block_executable',
  28: 'file_block_shredding',
  29: 'file_executable_detected',
  255: 'sysmon_error',
};

/** Channel → Sigma service (taxonomy appendix, Windows services). */
const CHANNEL_SERVICE: Record<string, string> = {
  application: 'application',
  security: 'security',
  system: 'system',
  'windows powershell': 'powershell-classic',
  'microsoft-windows-powershell/operational': 'powershell',
  'powershellcore/operational': 'powershell',
  'microsoft-windows-sysmon/operational': 'sysmon',
  'microsoft-windows-windows defender/operational': 'windefend',
  'microsoft-windows-taskscheduler/operational': 'taskscheduler',
  'microsoft-windows-wmi-activity/operational': 'wmi',
  'microsoft-windows-bits-client/operational': 'bits-client',
  'microsoft-windows-dns client events/operational': 'dns-client',
  'dns server': 'dns-server',
  'microsoft-windows-dns-server/analytical': 'dns-server-analytic',
  'microsoft-windows-dns-server/audit': 'dns-server-audit',
  'microsoft-windows-codeintegrity/operational': 'codeintegrity-operational',
  'microsoft-windows-ntlm/operational': 'ntlm',
  'microsoft-windows-lsa/operational': 'lsa-server',
  'openssh/operational': 'openssh',
  'microsoft-windows-printservice/admin': 'printservice-admin',
  'microsoft-windows-printservice/operational': 'printservice-operational',
  'microsoft-windows-smbclient/security': 'smbclient-security',
  'microsoft-windows-windows firewall with advanced security/firewall': 'firewall-as',
  'microsoft-windows-terminalservices-localsessionmanager/operational': 'terminalservices-localsessionmanager',
  'microsoft-windows-shell-core/operational': 'shell-core',
  'microsoft-windows-driverframeworks-usermode/operational': 'driver-framework',
  'microsoft-windows-capi2/operational': 'capi2',
  'microsoft-windows-ntfs/operational': 'ntfs',
  'microsoft-windows-vhdmp/operational': 'vhdmp',
  'microsoft-windows-appmodel-runtime/admin': 'appmodel-runtime',
  'microsoft-windows-appxdeploymentserver/operational': 'appxdeployment-server',
  'microsoft-windows-appxpackaging/operational': 'appxpackaging-om',
  'microsoft-windows-bitlocker/bitlocker management': 'bitlocker',
  'microsoft-windows-dhcp-server/operational': 'dhcp',
  'microsoft-windows-diagnosis-scripted/operational': 'diagnosis-scripted',
  'microsoft-windows-kernel-shimengine/operational': 'kernel-shimengine',
  'microsoft-windows-ldap-client/debug': 'ldap',
  'msexchange management': 'msexchange-management',
  'microsoft-windows-sense/operational': 'sense',
  'microsoft-iis-configuration/operational': 'iis-configuration',
  'microsoft-windows-hyper-v-worker': 'hyper-v-worker',
  'microsoft-windows-kernel-eventtracing': 'kernel-event-tracing',
  'microsoft-windows-certificateservicesclient-lifecycle-system/operational': 'certificateservicesclient-lifecycle-system',
};

function serviceFor(channel: string): string | undefined {
  const c = channel.toLowerCase();
  if (CHANNEL_SERVICE[c]) return CHANNEL_SERVICE[c];
  if (c.startsWith('microsoft-windows-applocker/')) return 'applocker';
  if (c.startsWith('microsoft-windows-security-mitigations/')) return 'security-mitigations';
  if (c.startsWith('microsoft-windows-application-experience/')) return 'application-experience';
  if (c.startsWith('microsoft-servicebus-client/')) return 'servicebus-client';
  return undefined;
}

function logsourceFor(eventId: number, channel: string, provider: string, data: Raw): LogSource {
  const service = serviceFor(channel);
  const ls: LogSource = { product: 'windows' };
  if (service) ls.service = service;
  const sysmon = service === 'sysmon' || provider.toLowerCase() === 'microsoft-windows-sysmon';
  if (sysmon) {
    ls.service = 'sysmon';
    if (eventId === 12) ls.category = /delete/i.test(textOf(data['EventType'])) ? 'registry_delete' : 'registry_add';
    else if (SYSMON_CATEGORY[eventId]) ls.category = SYSMON_CATEGORY[eventId];
  } else if (service === 'security' && eventId === 4688) ls.category = 'process_creation';
  else if (service === 'powershell') {
    if (eventId === 4104) ls.category = 'ps_script';
    else if (eventId === 4103) ls.category = 'ps_module';
  } else if (service === 'powershell-classic') {
    if (eventId === 400) ls.category = 'ps_classic_start';
    else if (eventId === 600) ls.category = 'ps_classic_provider_start';
    else if (eventId === 800) ls.category = 'ps_classic_script';
  }
  return ls;
}

/** `{ "#text": x, "#attributes": {...} }` → x; plain values as they are. */
function text(x: unknown): unknown {
  if (isObj(x) && '#text' in x) return x['#text'];
  return x;
}

function attrs(x: unknown): Raw {
  return isObj(x) && isObj(x['#attributes']) ? x['#attributes'] : {};
}

/** Sigma names fields as the details view shows them with spaces removed ('Source Name' → 'SourceName'). */
function fieldName(n: string): string {
  return n.includes(' ') ? n.replace(/\s+/g, '') : n;
}

/** EventData as a flat name → value map, from either a flat object or `Data: [{Name, #text}]`. */
function flattenEventData(ed: unknown): Raw {
  if (!isObj(ed)) return {};
  const out: Raw = {};
  const data = ed['Data'];
  if (Array.isArray(data) && data.every((d) => isObj(d) && (isObj(d['#attributes']) || 'Name' in d))) {
    for (const d of data as Raw[]) {
      const name = attrs(d)['Name'] ?? d['Name'];
      if (typeof name === 'string') out[fieldName(name)] = text(d);
    }
  }
  for (const [k, v] of Object.entries(ed)) {
    if (k === '#attributes' || (k === 'Data' && Object.keys(out).length)) continue;
    out[fieldName(k)] = text(v);
  }
  return out;
}

function setPath(obj: Raw, path: string, value: unknown): void {
  const parts = path.split('.');
  // a field name from the event must not walk into Object.prototype
  if (parts.some(isForbiddenKey)) return;
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p] as Raw;
  }
  cur[parts.at(-1)!] = value;
}

function isoTime(x: unknown): string | undefined {
  if (typeof x !== 'string' && typeof x !== 'number') return undefined;
  // Sysmon's UtcTime is `YYYY-MM-DD hh:mm:ss.sss` without a zone, and it is UTC.
  const s = typeof x === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(x) ? x.replace(' ', 'T') + 'Z' : x;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const diag = (origin: string | undefined, message: string): Diagnostic => ({ severity: 'error', code: 'bad-winlog', message, file: origin, source: 'winlog' });

export function normalizeWindowsEvent(obj: unknown, origin?: string): StowawayEvent | Diagnostic {
  if (!isObj(obj)) return diag(origin, 'a Windows event must be a JSON object');
  let eventId: number;
  let channel = '';
  let provider = '';
  let computer: string | undefined;
  let time: string | undefined;
  let data: Raw;
  const winlog: Raw = {};
  if (isObj(obj['Event'])) {
    const ev = obj['Event'];
    const sys = isObj(ev['System']) ? ev['System'] : undefined;
    if (!sys) return diag(origin, 'Event.System is missing');
    eventId = Number(text(sys['EventID']));
    channel = textOf(text(sys['Channel']));
    provider = textOf(attrs(sys['Provider'])['Name']);
    computer = typeof text(sys['Computer']) === 'string' ? (text(sys['Computer']) as string) : undefined;
    time = isoTime(attrs(sys['TimeCreated'])['SystemTime']);
    data = flattenEventData(ev['EventData']);
    // Events logged with a UserData section (no EventData) keep their fields one level down.
    if (!Object.keys(data).length && isObj(ev['UserData']))
      for (const v of Object.values(ev['UserData'])) if (isObj(v)) Object.assign(data, flattenEventData(v));
    const exec = attrs(sys['Execution']);
    Object.assign(winlog, {
      provider_guid: attrs(sys['Provider'])['Guid'],
      record_id: text(sys['EventRecordID']),
      level: text(sys['Level']),
      task: text(sys['Task']),
      opcode: text(sys['Opcode']),
      keywords: text(sys['Keywords']),
      version: text(sys['Version']),
      process: exec['ProcessID'] !== undefined ? { pid: exec['ProcessID'], thread: { id: exec['ThreadID'] } } : undefined,
      user: attrs(sys['Security'])['UserID'] !== undefined ? { identifier: attrs(sys['Security'])['UserID'] } : undefined,
    });
  } else if (isObj(obj['winlog'])) {
    const w = obj['winlog'];
    eventId = Number(w['event_id']);
    channel = textOf(w['channel']);
    provider = textOf(w['provider_name']);
    computer = typeof w['computer_name'] === 'string' ? w['computer_name'] : undefined;
    time = isoTime(obj['@timestamp']);
    data = isObj(w['event_data']) ? { ...w['event_data'] } : {};
    for (const [k, v] of Object.entries(w))
      if (!['event_id', 'channel', 'provider_name', 'computer_name', 'event_data'].includes(k) && !isForbiddenKey(k)) winlog[k] = v;
  } else if (obj['EventID'] !== undefined) {
    // Flat: System fields and EventData side by side, as evtx exporters (Zircolite, Chainsaw,
    // flattening Winlogbeat pipelines) write them.
    const sys: Raw = {};
    data = {};
    for (const [k, v] of Object.entries(obj)) {
      if (isForbiddenKey(k)) continue;
      const sk = FLAT_SYSTEM[k];
      if (sk) sys[sk] ??= text(v);
      else data[fieldName(k)] = text(v);
    }
    eventId = Number(sys['EventID']);
    channel = textOf(sys['Channel']);
    provider = textOf(sys['Provider_Name']);
    computer = typeof sys['Computer'] === 'string' ? sys['Computer'] : undefined;
    time = isoTime(sys['TimeCreated_SystemTime']);
    Object.assign(winlog, {
      provider_guid: sys['Provider_Guid'],
      record_id: sys['EventRecordID'],
      level: sys['Level'],
      task: sys['Task'],
      opcode: sys['Opcode'],
      keywords: sys['Keywords'],
      version: sys['Version'],
      process: sys['Execution_ProcessID'] !== undefined ? { pid: sys['Execution_ProcessID'], thread: { id: sys['Execution_ThreadID'] } } : undefined,
      user: sys['Security_UserId'] !== undefined ? { identifier: sys['Security_UserId'] } : undefined,
    });
  } else return diag(origin, 'neither an Event.System/EventData document, a Winlogbeat document nor a flat event (no `Event`, `winlog` or `EventID` key)');
  if (!Number.isInteger(eventId)) return diag(origin, 'event id is missing or not a number');
  time ??= isoTime(data['UtcTime']);
  if (!time) return diag(origin, 'event has no usable time (System.TimeCreated / @timestamp)');

  const sysmon = provider.toLowerCase() === 'microsoft-windows-sysmon' || channel.toLowerCase() === 'microsoft-windows-sysmon/operational';
  const ls = logsourceFor(eventId, channel, provider, data);
  const event: StowawayEvent = {
    '@timestamp': time,
    event: {
      kind: 'event',
      code: String(eventId),
      provider: provider || undefined,
      module: sysmon ? 'sysmon' : 'windows',
      dataset: channel ? `windows.${ls.service ?? channel.toLowerCase()}` : undefined,
    },
    stowaway: { source: sysmon ? 'sysmon' : 'winlog', logsource: ls, origin },
    winlog: Object.fromEntries(
      Object.entries({
        ...winlog,
        event_id: eventId,
        channel: channel || undefined,
        provider_name: provider || undefined,
        computer_name: computer,
        event_data: data,
      }).filter(([, v]) => v !== undefined),
    ),
    raw: obj,
  };
  if (computer) event.host = { name: computer, hostname: computer };
  const rec = event as unknown as Raw;
  for (const [name, path] of Object.entries(WINDOWS_ECS)) if (data[name] !== undefined && data[name] !== null) setPath(rec, path, data[name]);
  if (ls.service === 'security' && eventId === 4688) {
    if (data['NewProcessName'] !== undefined) setPath(rec, 'process.executable', data['NewProcessName']);
    if (data['ParentProcessName'] !== undefined) setPath(rec, 'process.parent.executable', data['ParentProcessName']);
  }
  const exe = event.process?.executable;
  if (typeof exe === 'string') event.process!.name = exe.split(/[\\/]/).pop();
  if (typeof event.file?.path === 'string') event.file.name = event.file.path.split(/[\\/]/).pop();
  if (ls.category === 'process_creation') Object.assign(event.event, { category: ['process'], type: ['start'] });
  else if (ls.category === 'network_connection') Object.assign(event.event, { category: ['network'], type: ['connection'] });
  else if (ls.category === 'file_event') Object.assign(event.event, { category: ['file'], type: ['creation'] });
  return event;
}

export function isDiagnostic(x: StowawayEvent | Diagnostic): x is Diagnostic {
  return 'code' in x && 'severity' in x && !('stowaway' in x);
}
