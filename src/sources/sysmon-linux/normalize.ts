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
import { basename, diag, dirname, extension, num, searchFrom, splitArgs, toIso } from '../util.js';
import { recordMaker, type RecordMaker } from '../record-shape.js';
import { dateTimeInRange, isPlainUtcTime } from '../../model/iso-time.js';

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

/** What of the System header an event is built from. */
interface SystemHeader {
  EventID: string | undefined;
  TimeCreated_SystemTime: string | undefined;
  Provider_Name: string | undefined;
  Channel: string | undefined;
  Computer: string | undefined;
  EventRecordID: string | undefined;
}

/** Finds every <Event>...</Event> in a line (syslog prefix allowed) and normalizes it. */
export function normalizeSysmonLine(text: string, origin: string): SourceRecord[] {
  const out: SourceRecord[] = [];
  let from = 0;
  for (;;) {
    const start = findEventStart(text, from);
    if (start < 0) break;
    const end = findEventEnd(text, start);
    if (end < 0) break;
    out.push(normalizeSysmonXml(text.slice(start, end + 8), origin));
    from = end + 8;
  }
  if (out.length === 0)
    out.push({ diagnostic: diag('sysmon', 'bad-sysmon', text.includes('<Event') ? 'truncated <Event> record' : 'no <Event> record in line', origin) });
  return out;
}

// Searched from a rarer character than their `<` (see searchFrom)
const findEventEnd = searchFrom('</Event>', 3);
const findSystem = searchFrom('<System>', 1);
const findSystemEnd = searchFrom('</System>', 2);
const findData = searchFrom('<Data Name=', 1);

// `<Event` followed by whitespace or `>`: not <EventID>, <EventData>, <EventRecordID>.
function findEventStart(text: string, from: number): number {
  for (let i = text.indexOf('<Event', from); i >= 0; i = text.indexOf('<Event', i + 6)) {
    const c = text.charCodeAt(i + 6);
    if (c === 62 /* > */ || c === 32 || c === 9 || c === 10 || c === 13) return i;
  }
  return -1;
}

export function normalizeSysmonXml(xml: string, origin: string): SourceRecord {
  const sysStart = findSystem(xml);
  const sysEnd = sysStart < 0 ? -1 : findSystemEnd(xml, sysStart);
  if (sysEnd < 0) return { diagnostic: diag('sysmon', 'bad-sysmon', '<Event> without <System>', origin) };
  // most records hold no entity: then no value needs decoding
  const plain = xml.indexOf('&') < 0;
  const sys = readSystem(xml, sysStart + 8, sysEnd, plain);
  const data = readEventData(xml, plain);
  return buildSysmonEvent(sys, data, origin);
}

/** Whether a flat JSON record comes from Sysmon for Linux (its channel or provider says so). */
export function isLinuxSysmonFlat(o: Record<string, unknown>): boolean {
  return isLinuxSysmonSource(o['Channel'], o['Provider_Name'] ?? o['Provider']);
}

/** Whether a record's channel (or, without one, its provider) is Sysmon for Linux's, in any spelling of case. */
export function isLinuxSysmonSource(channel: unknown, provider: unknown): boolean {
  // the spelling Sysmon writes is compared before any other case is made (once per line)
  if (typeof channel === 'string') return channel === 'Linux-Sysmon/Operational' || channel.toLowerCase() === 'linux-sysmon/operational';
  return typeof provider === 'string' && provider.toLowerCase() === 'linux-sysmon';
}

/** A flat JSON Sysmon-for-Linux record: System fields and EventData side by side. */
export function normalizeSysmonFlat(obj: Record<string, unknown>, origin: string): SourceRecord {
  const sys: SystemHeader = {
    EventID: undefined,
    TimeCreated_SystemTime: undefined,
    Provider_Name: undefined,
    Channel: undefined,
    Computer: undefined,
    EventRecordID: undefined,
  };
  // An exporter writes the same keys in the same order on every line: each key is compared with
  // the one at its place in the last record, and only a new key is looked up.
  const keys = flatShape;
  let n = 0;
  let d = 0;
  let changed = false;
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined || v === null || k === '__proto__') continue;
    let sk: string | undefined;
    if (keys.names[n] === k) sk = keys.system[n];
    else {
      sk = SYSTEM_NAMES.get(k);
      keys.names[n] = k;
      keys.system[n] = sk;
    }
    n++;
    // EventData values are text in the XML Sysmon writes: the same text here, so a rule
    // compares the same values whichever spelling it reads
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
    if (sk !== undefined) {
      setHeader(sys, sk, s, false);
      continue;
    }
    if (!changed && flatData.names[d] !== k) {
      changed = true;
      flatData.names.length = d;
    }
    if (changed) flatData.names.push(k);
    flatValues[d++] = s;
  }
  if (changed || d !== flatData.names.length) {
    flatData.names.length = d;
    flatData.make = recordMaker(flatData.names);
  }
  const data = flatData.make(flatValues);
  if (sys.TimeCreated_SystemTime === undefined && data['UtcTime'] !== undefined) sys.TimeCreated_SystemTime = utcTimeIso(data['UtcTime']) ?? '';
  return buildSysmonEvent(sys, data, origin);
}

// The last flat record's keys (with their System name, if one) and EventData names.
const flatShape: { names: string[]; system: Array<string | undefined> } = { names: [], system: [] };
const flatData: { names: string[]; make: RecordMaker } = { names: [], make: recordMaker([]) };
const flatValues: string[] = [];

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

function buildSysmonEvent(sys: Partial<SystemHeader>, data: Record<string, string>, origin: string): SourceRecord {
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
  // members are set by name, each where it is needed (a shared setter taking the name as a
  // value made every store a generic lookup)
  const event: Record<string, unknown> = { kind: 'event', module: 'sysmon', dataset: 'sysmon.linux', code: String(id) };
  if (provider !== undefined) event.provider = provider;
  if (spec) {
    event.action = spec.action;
    event.category = [spec.ecs[0]];
    event.type = [spec.ecs[1]];
  }
  const host: Record<string, unknown> = {};
  if (computer !== undefined) host.name = computer;
  host.os = { type: 'linux' };
  const winlog: Record<string, unknown> = { event_id: id };
  if (channel !== undefined) winlog.channel = channel;
  if (provider !== undefined) winlog.provider_name = provider;
  if (computer !== undefined) winlog.computer_name = computer;
  if (sys['EventRecordID'] !== undefined) winlog.record_id = sys['EventRecordID'];
  winlog.event_data = data;
  const ev = {
    '@timestamp': ts,
    event,
    stowaway: { source: 'sysmon', logsource: ls, origin },
    host,
    winlog,
  } as unknown as StowawayEvent & Record<string, unknown>;

  const process: Record<string, unknown> = {};
  const pid = num(given(data, 'ProcessId'));
  if (pid !== undefined) process.pid = pid;
  const guid = given(data, 'ProcessGuid');
  if (guid !== undefined) process.entity_id = guid;
  const image = given(data, 'Image');
  if (image !== undefined) {
    process.executable = image;
    const name = basename(image);
    if (name !== undefined) process.name = name;
  }
  const cmd = given(data, 'CommandLine');
  if (cmd !== undefined) {
    process.command_line = cmd;
    process.args = splitArgs(cmd);
  }
  const cwd = given(data, 'CurrentDirectory');
  if (cwd !== undefined) process.working_directory = cwd;
  const user = given(data, 'User');
  if (user !== undefined) process.user = { name: user };
  const hashes = given(data, 'Hashes');
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
  const pimage = given(data, 'ParentImage');
  const ppidText = given(data, 'ParentProcessId');
  const ppid = num(ppidText);
  if (pimage !== undefined || ppidText !== undefined) {
    const parent: Record<string, unknown> = {};
    if (ppid !== undefined) parent.pid = ppid;
    const pguid = given(data, 'ParentProcessGuid');
    if (pguid !== undefined) parent.entity_id = pguid;
    if (pimage !== undefined) {
      parent.executable = pimage;
      const pname = basename(pimage);
      if (pname !== undefined) parent.name = pname;
    }
    const pcmd = given(data, 'ParentCommandLine');
    if (pcmd !== undefined) parent.command_line = pcmd;
    const puser = given(data, 'ParentUser');
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
    put(source, 'ip', given(data, 'SourceIp'));
    put(source, 'port', num(given(data, 'SourcePort')));
    put(source, 'domain', given(data, 'SourceHostname'));
    const destination: Record<string, unknown> = {};
    put(destination, 'ip', given(data, 'DestinationIp'));
    put(destination, 'port', num(given(data, 'DestinationPort')));
    put(destination, 'domain', given(data, 'DestinationHostname'));
    const initiated = given(data, 'Initiated');
    const network: Record<string, unknown> = {};
    put(network, 'transport', given(data, 'Protocol'));
    put(network, 'direction', initiated === 'true' ? 'outbound' : initiated === 'false' ? 'inbound' : undefined);
    network.type = given(data, 'SourceIsIpv6') === 'true' ? 'ipv6' : 'ipv4';
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
  const target = given(data, 'TargetFilename');
  if (target !== undefined) {
    const file: Record<string, unknown> = { path: target };
    put(file, 'name', basename(target));
    put(file, 'directory', dirname(target));
    put(file, 'extension', extension(target));
    ev.file = file;
  }
  return { event: ev };
}

// '' and '-' are how Sysmon writes "no value": such fields stay in event_data only
function given(data: Record<string, string>, k: string): string | undefined {
  const x = data[k];
  return x === undefined || x === '' || x === '-' ? undefined : x;
}

function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

/** Whether toIso would read this as a time, without writing the text for it. */
function isTime(x: string | undefined): boolean {
  if (x === undefined) return false;
  if (isPlainUtcTime(x)) return true;
  if (x.charCodeAt(4) === 45 /* - */) return !Number.isNaN(Date.parse(x));
  return toIso(x) !== undefined;
}

/** Sysmon's UtcTime (`YYYY-MM-DD hh:mm:ss.sss`, UTC without a zone) as ISO, parsed once. */
function utcTimeIso(s: string): string | undefined {
  // the usual text, already a valid time to the millisecond, is rewritten without reading it as a date
  if (
    s.length === 23 &&
    s.charCodeAt(19) === 46 /* . */ &&
    isDigit(s.charCodeAt(20)) &&
    isDigit(s.charCodeAt(21)) &&
    isDigit(s.charCodeAt(22)) &&
    dateTimeInRange(s, 32 /* space */)
  )
    return `${s.slice(0, 10)}T${s.slice(11)}Z`;
  return toIso(s.replace(' ', 'T') + 'Z');
}

/**
 * The <System> children an event is built from: `<Name attr="…">text</Name>` or
 * `<Name attr="…"/>`, one level deep, element text by element name and attributes as
 * `Element_Attribute` (Provider_Name, TimeCreated_SystemTime). The first of a name wins, as a
 * search for it would find.
 */
function readSystem(xml: string, from: number, to: number, plain: boolean): SystemHeader {
  const out: SystemHeader = {
    EventID: undefined,
    TimeCreated_SystemTime: undefined,
    Provider_Name: undefined,
    Channel: undefined,
    Computer: undefined,
    EventRecordID: undefined,
  };
  let i = xml.indexOf('<', from);
  while (i >= 0 && i < to) {
    let j = i + 1;
    while (j < to && !isNameEnd(xml.charCodeAt(j))) j++;
    const name = xml.slice(i + 1, j);
    const gt = xml.indexOf('>', j);
    if (gt < 0 || gt > to) break;
    const selfClosing = xml.charCodeAt(gt - 1) === 47; /* / */
    // the only attributes read: Provider Name and TimeCreated SystemTime
    const wanted = name === 'Provider' ? 'Name' : name === 'TimeCreated' ? 'SystemTime' : undefined;
    if (wanted !== undefined) {
      const v = readAttribute(xml, j, selfClosing ? gt - 1 : gt, wanted);
      if (v !== undefined) setHeader(out, name === 'Provider' ? 'Provider_Name' : 'TimeCreated_SystemTime', plain ? v : unescape(v), true);
    }
    if (selfClosing) {
      i = xml.indexOf('<', gt + 1);
      continue;
    }
    const close = closeTag(xml, name, gt + 1);
    if (close < 0 || close > to) break;
    if (isHeaderName(name)) {
      const text = xml.slice(gt + 1, close);
      setHeader(out, name, plain ? text : unescape(text), true);
    }
    i = xml.indexOf('<', close + name.length + 3);
  }
  return out;
}

function isHeaderName(name: string): name is keyof SystemHeader {
  return (
    name === 'EventID' || name === 'Channel' || name === 'Computer' || name === 'EventRecordID' || name === 'Provider_Name' || name === 'TimeCreated_SystemTime'
  );
}

/**
 * Sets one of the members an event is built from (other names are ignored), each by its name: a
 * store through a name held in a variable is a generic lookup. `keepFirst`: a member already set
 * stays (the XML header's first element); otherwise the last of several spellings wins (flat JSON).
 */
function setHeader(out: SystemHeader, name: string, value: string, keepFirst: boolean): void {
  switch (name) {
    case 'EventID':
      if (!keepFirst || out.EventID === undefined) out.EventID = value;
      break;
    case 'TimeCreated_SystemTime':
      if (!keepFirst || out.TimeCreated_SystemTime === undefined) out.TimeCreated_SystemTime = value;
      break;
    case 'Provider_Name':
      if (!keepFirst || out.Provider_Name === undefined) out.Provider_Name = value;
      break;
    case 'Channel':
      if (!keepFirst || out.Channel === undefined) out.Channel = value;
      break;
    case 'Computer':
      if (!keepFirst || out.Computer === undefined) out.Computer = value;
      break;
    case 'EventRecordID':
      if (!keepFirst || out.EventRecordID === undefined) out.EventRecordID = value;
      break;
  }
}

/** The first `</name>` from `from`, found without making the tag's text. */
function closeTag(xml: string, name: string, from: number): number {
  for (let p = xml.indexOf('</', from); p >= 0; p = xml.indexOf('</', p + 2))
    if (xml.charCodeAt(p + 2 + name.length) === 62 /* > */ && hasAt(xml, name, p + 2)) return p;
  return -1;
}

function isNameEnd(c: number): boolean {
  return c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13;
}

/**
 * The raw (still escaped) value of the first attribute called `wanted` in `name="…"` pairs
 * between from and to; pairs are read in order and reading stops at the first that is not one.
 */
function readAttribute(xml: string, from: number, to: number, wanted: string): string | undefined {
  let i = from;
  while (i < to) {
    const eq = xml.indexOf('=', i);
    if (eq < 0 || eq >= to) return undefined;
    const q = xml.charCodeAt(eq + 1);
    if (q !== 34 && q !== 39) return undefined;
    const end = xml.indexOf(q === 34 ? '"' : "'", eq + 2);
    if (end < 0 || end > to) return undefined;
    if (xml.slice(i, eq).trim() === wanted) return xml.slice(eq + 2, end);
    i = end + 1;
  }
  return undefined;
}

// Sysmon writes an event id's Data names in the same order every time: the tag of each Data
// element of the last record (`<Data Name="Image">`) is tried first at its place, so a name is
// checked in place rather than cut out, and the record is built by the maker of those names.
const xmlData: { names: string[]; tags: Array<string | undefined>; make: RecordMaker } = { names: [], tags: [], make: recordMaker([]) };
const xmlValues: string[] = [];

/** Every `<Data Name="…">value</Data>` (or `<Data Name="…"/>`) of the record. */
function readEventData(xml: string, plain: boolean): Record<string, string> {
  const { names, tags } = xmlData;
  let i = findData(xml);
  let d = 0;
  let changed = false;
  // i is where the next `<Data Name=` is looked for: most often exactly there, right after the
  // last `</Data>`, so a tag is compared in place before any search
  while (i >= 0) {
    let name: string;
    // k: just after the name's closing quote
    let k: number;
    const tag = changed ? undefined : tags[d];
    if (tag !== undefined && hasAt(xml, tag, i)) {
      name = names[d]!;
      k = i + tag.length - 1;
    } else {
      if (!hasAt(xml, '<Data Name=', i)) {
        i = findData(xml, i);
        continue;
      }
      const q = xml.charCodeAt(i + 11);
      if (q !== 34 && q !== 39) {
        i = findData(xml, i + 11);
        continue;
      }
      const nameEnd = xml.indexOf(q === 34 ? '"' : "'", i + 12);
      if (nameEnd < 0) break;
      const raw = xml.slice(i + 12, nameEnd);
      name = plain ? raw : unescape(raw);
      k = nameEnd + 1;
      if (!changed && names[d] !== name) {
        changed = true;
        names.length = d;
        tags.length = d;
      }
      // only a name written as it stands, in double quotes, closed by `>` at once, is tried as a tag
      tags[d] = q === 34 && name === raw && xml.charCodeAt(k) === 62 ? flat(`<Data Name="${name}">`) : undefined;
    }
    while (isSpace(xml.charCodeAt(k))) k++;
    const c = xml.charCodeAt(k);
    let value: string;
    if (c === 47 && xml.charCodeAt(k + 1) === 62) {
      value = '';
      i = k + 2;
    } else if (c === 62) {
      const close = xml.indexOf('</Data>', k + 1);
      if (close < 0) break;
      const text = xml.slice(k + 1, close);
      value = plain ? text : unescape(text);
      i = close + 7;
    } else {
      i = k;
      continue;
    }
    if (changed) names.push(name);
    xmlValues[d++] = value;
  }
  if (changed || d !== names.length) {
    names.length = d;
    tags.length = d;
    xmlData.make = recordMaker(names);
  }
  return xmlData.make(xmlValues);
}

/**
 * `s.startsWith(t, at)` for a t that is nearly always there. V8's startsWith on a string cut
 * from a line goes through the runtime (24 ns a call on Sysmon records); indexOf finds a match
 * where it starts in 4. Its first and last characters are compared first, so a miss is seldom
 * a search through the rest of the record.
 */
function hasAt(s: string, t: string, at: number): boolean {
  const n = t.length;
  if (n === 0) return true;
  return s.charCodeAt(at) === t.charCodeAt(0) && s.charCodeAt(at + n - 1) === t.charCodeAt(n - 1) && s.indexOf(t, at) === at;
}

// A string made by concatenation is a rope, and V8 compares a rope in startsWith through the
// runtime; text read back from JSON is one flat string (the tags are made once per shape).
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
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
