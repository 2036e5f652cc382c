// Sysmon for Linux writes Windows-style <Event> XML to syslog. Each record becomes an
// event with winlog.* (as Windows Sysmon) and ECS fields by event id.
import type { LogSource, StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { basename, compactEvent, diag, fileFields, num, splitArgs, toIso } from '../util.js';

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

/** Finds every <Event>...</Event> in a line (syslog prefix allowed) and normalizes it. */
export function normalizeSysmonLine(text: string, origin: string): SourceRecord[] {
  const out: SourceRecord[] = [];
  const re = /<Event[\s>][\s\S]*?<\/Event>/g;
  let m: RegExpExecArray | null;
  let found = false;
  while ((m = re.exec(text))) {
    found = true;
    out.push(normalizeSysmonXml(m[0], origin));
  }
  if (!found)
    out.push({ diagnostic: diag('sysmon', 'bad-sysmon', text.includes('<Event') ? 'truncated <Event> record' : 'no <Event> record in line', origin) });
  return out;
}

export function normalizeSysmonXml(xml: string, origin: string): SourceRecord {
  const sys = /<System>([\s\S]*?)<\/System>/.exec(xml)?.[1];
  if (!sys) return { diagnostic: diag('sysmon', 'bad-sysmon', '<Event> without <System>', origin) };
  const id = num(tag(sys, 'EventID'));
  const ts = toIso(attr(sys, 'TimeCreated', 'SystemTime'));
  if (id === undefined || !ts) return { diagnostic: diag('sysmon', 'bad-sysmon', '<Event> without EventID or TimeCreated', origin) };
  const data: Record<string, string> = {};
  const dre = /<Data Name=(?:"([^"]*)"|'([^']*)')\s*(?:\/>|>([\s\S]*?)<\/Data>)/g;
  let d: RegExpExecArray | null;
  while ((d = dre.exec(xml))) data[unescape(d[1] ?? d[2]!)] = unescape(d[3] ?? '');
  const spec = BY_ID[id];
  const ls: LogSource = { product: 'linux', service: 'sysmon' };
  if (spec?.category) ls.category = spec.category;
  const provider = attr(sys, 'Provider', 'Name');
  const channel = tag(sys, 'Channel');
  const v = (k: string) => (data[k] === undefined || data[k] === '' || data[k] === '-' ? undefined : data[k]);
  const ev: StowawayEvent = {
    '@timestamp': toIso(v('UtcTime') ? v('UtcTime')!.replace(' ', 'T') + 'Z' : undefined) ?? ts,
    event: {
      kind: 'event',
      module: 'sysmon',
      dataset: 'sysmon.linux',
      code: String(id),
      provider,
      action: spec?.action,
      category: spec ? [spec.ecs[0]] : undefined,
      type: spec ? [spec.ecs[1]] : undefined,
    },
    stowaway: { source: 'sysmon', logsource: ls, origin },
    host: { name: tag(sys, 'Computer'), os: { type: 'linux' } },
    winlog: { event_id: id, channel, provider_name: provider, computer_name: tag(sys, 'Computer'), record_id: tag(sys, 'EventRecordID'), event_data: data },
  };
  const image = v('Image');
  const cmd = v('CommandLine');
  ev.process = {
    pid: num(v('ProcessId')),
    entity_id: v('ProcessGuid'),
    executable: image,
    name: basename(image),
    command_line: cmd,
    args: cmd ? splitArgs(cmd) : undefined,
    working_directory: v('CurrentDirectory'),
    user: v('User') ? { name: v('User') } : undefined,
    hash: v('Hashes')
      ? Object.fromEntries(
          v('Hashes')!
            .split(',')
            .map((h) => h.split('='))
            .filter((p) => p.length === 2)
            .map(([k, x]) => [k!.toLowerCase(), x!]),
        )
      : undefined,
    parent:
      v('ParentImage') || v('ParentProcessId')
        ? {
            pid: num(v('ParentProcessId')),
            entity_id: v('ParentProcessGuid'),
            executable: v('ParentImage'),
            name: basename(v('ParentImage')),
            command_line: v('ParentCommandLine'),
          }
        : undefined,
  };
  if (ev.process.parent?.pid !== undefined) ev.process.ppid = ev.process.parent.pid;
  if (v('User')) ev.user = { name: v('User') };
  if (id === 3) {
    ev.source = { ip: v('SourceIp'), port: num(v('SourcePort')), domain: v('SourceHostname') };
    ev.destination = { ip: v('DestinationIp'), port: num(v('DestinationPort')), domain: v('DestinationHostname') };
    ev.network = {
      transport: v('Protocol'),
      direction: v('Initiated') === 'true' ? 'outbound' : v('Initiated') === 'false' ? 'inbound' : undefined,
      type: v('SourceIsIpv6') === 'true' ? 'ipv6' : 'ipv4',
    };
  }
  if (v('TargetFilename')) ev.file = fileFields(v('TargetFilename'));
  return { event: compactEvent(ev, ['winlog']) };
}

const tagRes = new Map<string, RegExp>();
const attrRes = new Map<string, RegExp>();

function tag(xml: string, name: string): string | undefined {
  let re = tagRes.get(name);
  if (!re) tagRes.set(name, (re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`)));
  const m = re.exec(xml);
  return m ? unescape(m[1]!) : undefined;
}

function attr(xml: string, el: string, name: string): string | undefined {
  const key = `${el} ${name}`;
  let re = attrRes.get(key);
  if (!re) attrRes.set(key, (re = new RegExp(`<${el}\\s[^>]*?${name}=(?:"([^"]*)"|'([^']*)')`)));
  const m = re.exec(xml);
  return m ? unescape(m[1] ?? m[2]!) : undefined;
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
