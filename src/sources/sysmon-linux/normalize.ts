// Sysmon for Linux writes Windows-style <Event> XML to syslog; evtx exporters (Zircolite,
// Chainsaw, Hayabusa-style flat JSON) write the same record as one flat JSON object. Both
// become the same event: winlog.* as Windows Sysmon has it, ECS fields by event id.
//
// XML is read by a small single-pass reader of the one shape Sysmon writes (System header,
// EventData of <Data Name=…>): one indexOf walk per record instead of a regular expression
// per field, and the event is built once, without undefined members, so nothing is copied
// afterwards.
import type { LogSource, StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { basename, diag, dirname, extension, num, splitArgs, toIso } from '../util.js';

const BY_ID: Record<number, { category?: string; ecs: [string, string]; action: string }> = {
  1: { category: 'process_creation', ecs: ['process', 'start'], action: 'process-created' },
  3: { category: 'network_connection', ecs: ['network', 'connection'], action: 'network-connection' },
  4: { category: 'sysmon_status', ecs: ['configuration', 'change'], action: 'sysmon-state-changed' },
  5: { category: 'process_termination', ecs: ['process', 'end'], action: 'process-terminated' },
  9: { category: 'raw_access_thread', ecs: ['file', 'access'], action: 'raw-access-read' },
  11: { category: 'file_event', ecs: ['file', 'creation'], action: 'file-created' },
  16: { category: 'sysmon_status', ecs: ['configuration', 'change'], action: 'sysmon-config-changed' },
  23: { category: 'file_delete', ecs: ['file', 'deletion'], action: 'file-deleted' },
};

/** The System header as flat names: element text by element name, attributes as `Element_Attribute`. */
type SystemFields = Record<string, string>;

/** Finds every <Event>...</Event> in a line (syslog prefix allowed) and normalizes it. */
export function normalizeSysmonLine(text: string, origin: string): SourceRecord[] {
  const out: SourceRecord[] = [];
  let from = 0;
  for (;;) {
    const start = findEventStart(text, from);
    if (start < 0) break;
    const end = text.indexOf('</Event>', start);
    if (end < 0) break;
    out.push(normalizeSysmonXml(text.slice(start, end + 8), origin));
    from = end + 8;
  }
  if (out.length === 0)
    out.push({ diagnostic: diag('sysmon', 'bad-sysmon', text.includes('<Event') ? 'truncated <Event> record' : 'no <Event> record in line', origin) });
  return out;
}

// `<Event` followed by whitespace or `>`: not <EventID>, <EventData>, <EventRecordID>.
function findEventStart(text: string, from: number): number {
  for (let i = text.indexOf('<Event', from); i >= 0; i = text.indexOf('<Event', i + 6)) {
    const c = text.charCodeAt(i + 6);
    if (c === 62 /* > */ || c === 32 || c === 9 || c === 10 || c === 13) return i;
  }
  return -1;
}

export function normalizeSysmonXml(xml: string, origin: string): SourceRecord {
  const sysStart = xml.indexOf('<System>');
  const sysEnd = sysStart < 0 ? -1 : xml.indexOf('</System>', sysStart);
  if (sysEnd < 0) return { diagnostic: diag('sysmon', 'bad-sysmon', '<Event> without <System>', origin) };
  const sys = readSystem(xml, sysStart + 8, sysEnd);
  const data = readEventData(xml);
  return buildSysmonEvent(sys, data, origin);
}

/** Whether a flat JSON record comes from Sysmon for Linux (its channel or provider says so). */
export function isLinuxSysmonFlat(o: Record<string, unknown>): boolean {
  const ch = o['Channel'];
  if (typeof ch === 'string') return ch.toLowerCase() === 'linux-sysmon/operational';
  const p = o['Provider_Name'] ?? o['Provider'];
  return typeof p === 'string' && p.toLowerCase() === 'linux-sysmon';
}

/** A flat JSON Sysmon-for-Linux record: System fields and EventData side by side. */
export function normalizeSysmonFlat(obj: Record<string, unknown>, origin: string): SourceRecord {
  const sys: SystemFields = {};
  const data: Record<string, string> = {};
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    if (v === undefined || v === null || k === '__proto__') continue;
    // EventData values are text in the XML Sysmon writes: the same text here, so a rule
    // compares the same values whichever spelling it reads
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
    const sk = SYSTEM_NAMES.get(k);
    if (sk) sys[sk] = s;
    else data[k] = s;
  }
  if (sys['TimeCreated_SystemTime'] === undefined && data['UtcTime'] !== undefined) sys['TimeCreated_SystemTime'] = utcTimeIso(data['UtcTime']) ?? '';
  return buildSysmonEvent(sys, data, origin);
}

/**
 * System fields of a flat record → their `Element_Attribute` names. Flat exporters name them by
 * element, attributes joined with `_` (Provider_Name); some write the time as SystemTime,
 * TimeCreated or Timestamp. Every other key is EventData.
 */
export const FLAT_SYSTEM: Record<string, string> = {
  EventID: 'EventID',
  Version: 'Version',
  Level: 'Level',
  Task: 'Task',
  Opcode: 'Opcode',
  Keywords: 'Keywords',
  EventRecordID: 'EventRecordID',
  Channel: 'Channel',
  Computer: 'Computer',
  Provider: 'Provider_Name',
  Provider_Name: 'Provider_Name',
  ProviderName: 'Provider_Name',
  Provider_Guid: 'Provider_Guid',
  SystemTime: 'TimeCreated_SystemTime',
  TimeCreated: 'TimeCreated_SystemTime',
  TimeCreated_SystemTime: 'TimeCreated_SystemTime',
  Timestamp: 'TimeCreated_SystemTime',
  '@timestamp': 'TimeCreated_SystemTime',
  Execution_ProcessID: 'Execution_ProcessID',
  Execution_ThreadID: 'Execution_ThreadID',
  Security_UserID: 'Security_UserId',
  Security_UserId: 'Security_UserId',
  Correlation: 'Correlation',
};

const SYSTEM_NAMES = new Map(Object.entries(FLAT_SYSTEM));

function buildSysmonEvent(sys: SystemFields, data: Record<string, string>, origin: string): SourceRecord {
  const id = num(sys['EventID']);
  const data0 = data['UtcTime'];
  // the event's time is UtcTime when it reads as one; TimeCreated must still be a time, but it
  // is only turned into text when UtcTime is missing (one date made per event, not two)
  const utcIso = data0 !== undefined && data0 !== '' && data0 !== '-' ? utcTimeIso(data0) : undefined;
  const ts = utcIso !== undefined ? (isTime(sys['TimeCreated_SystemTime']) ? utcIso : undefined) : toIso(sys['TimeCreated_SystemTime']);
  if (id === undefined || !ts) return { diagnostic: diag('sysmon', 'bad-sysmon', '<Event> without EventID or TimeCreated', origin) };
  const spec = BY_ID[id];
  const ls: LogSource = { product: 'linux', service: 'sysmon' };
  if (spec?.category) ls.category = spec.category;
  const provider = sys['Provider_Name'];
  const channel = sys['Channel'];
  const computer = sys['Computer'];
  // '' and '-' are how Sysmon writes "no value": such fields stay in event_data only
  const v = (k: string): string | undefined => {
    const x = data[k];
    return x === undefined || x === '' || x === '-' ? undefined : x;
  };
  const event: Record<string, unknown> = { kind: 'event', module: 'sysmon', dataset: 'sysmon.linux', code: String(id) };
  put(event, 'provider', provider);
  if (spec) {
    event.action = spec.action;
    event.category = [spec.ecs[0]];
    event.type = [spec.ecs[1]];
  }
  const host: Record<string, unknown> = {};
  put(host, 'name', computer);
  host.os = { type: 'linux' };
  const winlog: Record<string, unknown> = { event_id: id };
  put(winlog, 'channel', channel);
  put(winlog, 'provider_name', provider);
  put(winlog, 'computer_name', computer);
  put(winlog, 'record_id', sys['EventRecordID']);
  winlog.event_data = data;
  const ev = {
    '@timestamp': ts,
    event,
    stowaway: { source: 'sysmon', logsource: ls, origin },
    host,
    winlog,
  } as unknown as StowawayEvent & Record<string, unknown>;

  const process: Record<string, unknown> = {};
  put(process, 'pid', num(v('ProcessId')));
  put(process, 'entity_id', v('ProcessGuid'));
  const image = v('Image');
  put(process, 'executable', image);
  put(process, 'name', basename(image));
  const cmd = v('CommandLine');
  if (cmd !== undefined) {
    process.command_line = cmd;
    process.args = splitArgs(cmd);
  }
  put(process, 'working_directory', v('CurrentDirectory'));
  const user = v('User');
  if (user !== undefined) process.user = { name: user };
  const hashes = v('Hashes');
  if (hashes !== undefined) {
    const hash: Record<string, string> = {};
    for (const h of hashes.split(',')) {
      const p = h.split('=');
      if (p.length === 2) hash[p[0]!.toLowerCase()] = p[1]!;
    }
    for (const _ in hash) {
      process.hash = hash;
      break;
    }
  }
  const pimage = v('ParentImage');
  const ppid = num(v('ParentProcessId'));
  if (pimage !== undefined || v('ParentProcessId') !== undefined) {
    const parent: Record<string, unknown> = {};
    put(parent, 'pid', ppid);
    put(parent, 'entity_id', v('ParentProcessGuid'));
    put(parent, 'executable', pimage);
    put(parent, 'name', basename(pimage));
    put(parent, 'command_line', v('ParentCommandLine'));
    const puser = v('ParentUser');
    if (puser !== undefined) parent.user = { name: puser };
    for (const _ in parent) {
      process.parent = parent;
      break;
    }
  }
  if (ppid !== undefined) process.ppid = ppid;
  for (const _ in process) {
    ev.process = process;
    break;
  }
  if (user !== undefined) ev.user = { name: user };
  if (id === 3) {
    const source: Record<string, unknown> = {};
    put(source, 'ip', v('SourceIp'));
    put(source, 'port', num(v('SourcePort')));
    put(source, 'domain', v('SourceHostname'));
    const destination: Record<string, unknown> = {};
    put(destination, 'ip', v('DestinationIp'));
    put(destination, 'port', num(v('DestinationPort')));
    put(destination, 'domain', v('DestinationHostname'));
    const initiated = v('Initiated');
    const network: Record<string, unknown> = {};
    put(network, 'transport', v('Protocol'));
    put(network, 'direction', initiated === 'true' ? 'outbound' : initiated === 'false' ? 'inbound' : undefined);
    network.type = v('SourceIsIpv6') === 'true' ? 'ipv6' : 'ipv4';
    for (const _ in source) {
      ev.source = source;
      break;
    }
    for (const _ in destination) {
      ev.destination = destination;
      break;
    }
    ev.network = network;
  }
  const target = v('TargetFilename');
  if (target !== undefined) {
    const file: Record<string, unknown> = { path: target };
    put(file, 'name', basename(target));
    put(file, 'directory', dirname(target));
    put(file, 'extension', extension(target));
    ev.file = file;
  }
  return { event: ev };
}

function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

/** Whether toIso would read this as a time, without writing the text for it. */
function isTime(x: string | undefined): boolean {
  if (x === undefined) return false;
  if (x.charCodeAt(4) === 45 /* - */) return !Number.isNaN(Date.parse(x));
  return toIso(x) !== undefined;
}

/** Sysmon's UtcTime (`YYYY-MM-DD hh:mm:ss.sss`, UTC without a zone) as ISO, parsed once. */
function utcTimeIso(s: string): string | undefined {
  return toIso(s.replace(' ', 'T') + 'Z');
}

/** The <System> children: `<Name attr="…">text</Name>` or `<Name attr="…"/>`, one level deep. */
function readSystem(xml: string, from: number, to: number): SystemFields {
  const out: SystemFields = {};
  let i = xml.indexOf('<', from);
  while (i >= 0 && i < to) {
    let j = i + 1;
    while (j < to && !isNameEnd(xml.charCodeAt(j))) j++;
    const name = xml.slice(i + 1, j);
    const gt = xml.indexOf('>', j);
    if (gt < 0 || gt > to) break;
    const selfClosing = xml.charCodeAt(gt - 1) === 47; /* / */
    readAttributes(xml, j, selfClosing ? gt - 1 : gt, name, out);
    if (selfClosing) {
      i = xml.indexOf('<', gt + 1);
      continue;
    }
    const close = xml.indexOf(`</${name}>`, gt + 1);
    if (close < 0 || close > to) break;
    // the first element of a name wins, as a search for it would find
    if (out[name] === undefined) out[name] = unescape(xml.slice(gt + 1, close));
    i = xml.indexOf('<', close + name.length + 3);
  }
  return out;
}

function isNameEnd(c: number): boolean {
  return c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13;
}

function readAttributes(xml: string, from: number, to: number, el: string, out: SystemFields): void {
  let i = from;
  while (i < to) {
    const eq = xml.indexOf('=', i);
    if (eq < 0 || eq >= to) return;
    const name = xml.slice(i, eq).trim();
    const q = xml.charCodeAt(eq + 1);
    if (q !== 34 && q !== 39) return;
    const end = xml.indexOf(q === 34 ? '"' : "'", eq + 2);
    if (end < 0 || end > to) return;
    const key = `${el}_${name}`;
    if (out[key] === undefined) out[key] = unescape(xml.slice(eq + 2, end));
    i = end + 1;
  }
}

// Sysmon writes an event id's Data names in the same order every time: the names of the last
// record are tried first, so a name is compared in place rather than cut out and looked up.
const lastNames: string[] = [];

/** Every `<Data Name="…">value</Data>` (or `<Data Name="…"/>`) of the record. */
function readEventData(xml: string): Record<string, string> {
  const data: Record<string, string> = {};
  let i = xml.indexOf('<Data Name=');
  let n = 0;
  while (i >= 0) {
    const q = xml.charCodeAt(i + 11);
    if (q !== 34 && q !== 39) {
      i = xml.indexOf('<Data Name=', i + 11);
      continue;
    }
    let name = n < lastNames.length ? lastNames[n]! : undefined;
    let nameEnd: number;
    if (name !== undefined && xml.charCodeAt(i + 12 + name.length) === q && xml.startsWith(name, i + 12)) nameEnd = i + 12 + name.length;
    else {
      nameEnd = xml.indexOf(q === 34 ? '"' : "'", i + 12);
      if (nameEnd < 0) break;
      const raw = xml.slice(i + 12, nameEnd);
      name = unescape(raw);
      // only names written without entities can be compared as they stand
      if (name === raw && n <= lastNames.length && n < 64) lastNames[n] = name;
    }
    n++;
    let k = nameEnd + 1;
    while (isSpace(xml.charCodeAt(k))) k++;
    const c = xml.charCodeAt(k);
    if (c === 47 && xml.charCodeAt(k + 1) === 62) {
      data[name] = '';
      i = xml.indexOf('<Data Name=', k + 2);
    } else if (c === 62) {
      const close = xml.indexOf('</Data>', k + 1);
      if (close < 0) break;
      data[name] = unescape(xml.slice(k + 1, close));
      i = xml.indexOf('<Data Name=', close + 7);
    } else i = xml.indexOf('<Data Name=', k);
  }
  return data;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function unescape(s: string): string {
  // nearly every value has no entity: skip the replace (it was the largest cost of this reader)
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, n: string, dec?: string, hex?: string) =>
    dec ? codePoint(Number(dec)) : hex ? codePoint(parseInt(hex, 16)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[n]!,
  );
}

// A reference to no character (&#99999999;) is a replacement character, not an exception
// that would cost the whole file.
function codePoint(n: number): string {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd';
}
