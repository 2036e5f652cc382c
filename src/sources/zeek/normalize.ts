// Zeek conn.log, TSV (with its #fields/#types header) or JSON lines, into connection events.
import type { StowawayEvent } from '../../model/event.js';
import type { LineParser } from '../lines.js';
import type { SourceRecord } from '../types.js';
import { compactEvent, diag, isObj, num, str, toIso, type Obj } from '../util.js';

export const ZEEK_CONN_LOGSOURCE = { product: 'zeek', category: 'network_connection', service: 'conn' } as const;

/** One conn.log entry (columns by name, as Zeek's JSON writer emits them) into an event. */
export function normalizeZeekConn(obj: unknown, origin: string): SourceRecord[] {
  if (!isObj(obj)) return [{ diagnostic: diag('zeek', 'bad-zeek', 'conn.log entry is not an object', origin) }];
  const ts = toIso(obj.ts);
  if (!ts || obj['id.orig_h'] === undefined) return [{ diagnostic: diag('zeek', 'bad-zeek', 'conn.log entry lacks ts or id.orig_h', origin) }];
  const ob = num(obj.orig_bytes);
  const rb = num(obj.resp_bytes);
  const op = num(obj.orig_pkts);
  const rp = num(obj.resp_pkts);
  const dur = num(obj.duration);
  const local = obj.local_orig === true ? (obj.local_resp === true ? 'internal' : 'outbound') : obj.local_resp === true ? 'inbound' : undefined;
  const ev: StowawayEvent = {
    '@timestamp': ts,
    event: {
      kind: 'event',
      module: 'zeek',
      dataset: 'zeek.conn',
      action: str(obj.conn_state),
      category: ['network'],
      type: ['connection'],
      id: str(obj.uid),
      duration: dur !== undefined ? Math.round(dur * 1e9) : undefined,
    },
    stowaway: { source: 'zeek', logsource: { ...ZEEK_CONN_LOGSOURCE }, origin },
    source: { ip: str(obj['id.orig_h']), port: num(obj['id.orig_p']), bytes: ob, packets: op },
    destination: { ip: str(obj['id.resp_h']), port: num(obj['id.resp_p']), bytes: rb, packets: rp },
    network: {
      transport: str(obj.proto),
      protocol: str(obj.service),
      bytes: ob !== undefined || rb !== undefined ? (ob ?? 0) + (rb ?? 0) : undefined,
      packets: op !== undefined || rp !== undefined ? (op ?? 0) + (rp ?? 0) : undefined,
      community_id: str(obj.community_id),
      direction: local,
      type: str(obj['id.orig_h'])?.includes(':') ? 'ipv6' : 'ipv4',
    },
    zeek: { conn: obj },
  };
  return [{ event: compactEvent(ev, ['zeek']) }];
}

interface TsvHeader {
  sep: string;
  setSep: string;
  empty: string;
  unset: string;
  fields: string[];
  types: string[];
}

/** A conn.log reader: TSV with header, or JSON lines; other Zeek logs are refused per line. */
export function createZeekParser(file: string): LineParser {
  let h: TsvHeader = { sep: '\t', setSep: ',', empty: '(empty)', unset: '-', fields: [], types: [] };
  let path: string | undefined;
  let warnedPath = false;
  return {
    line(text, lineNo) {
      const origin = `${file}:${lineNo}`;
      if (text.startsWith('{')) {
        try {
          return normalizeZeekConn(JSON.parse(text), origin);
        } catch (e) {
          return [{ diagnostic: diag('zeek', 'bad-json', `not JSON: ${(e as Error).message}`, origin) }];
        }
      }
      if (text.startsWith('#')) {
        const [dir, ...rest] = text.slice(1).split(h.sep);
        const value = rest.join(h.sep);
        if (text.startsWith('#separator')) h = { ...h, sep: unescapeSep(text.slice('#separator '.length)) };
        else if (dir === 'set_separator') h.setSep = value;
        else if (dir === 'empty_field') h.empty = value;
        else if (dir === 'unset_field') h.unset = value;
        else if (dir === 'path') path = value;
        else if (dir === 'fields') h.fields = rest;
        else if (dir === 'types') h.types = rest;
        return [];
      }
      if (path && path !== 'conn') {
        if (warnedPath) return [];
        warnedPath = true;
        return [
          { diagnostic: diag('zeek', 'unsupported-zeek-log', `Zeek ${path}.log is not supported (conn.log only); its lines are skipped`, origin, 'warning') },
        ];
      }
      if (!h.fields.length) return [{ diagnostic: diag('zeek', 'bad-zeek', 'TSV line before any #fields header', origin) }];
      const cols = text.split(h.sep);
      if (cols.length !== h.fields.length)
        return [{ diagnostic: diag('zeek', 'zeek-field-count', `expected ${h.fields.length} fields, got ${cols.length}`, origin) }];
      const obj: Obj = {};
      h.fields.forEach((name, i) => {
        const v = typed(cols[i]!, h.types[i], h);
        if (v !== undefined) obj[name] = v;
      });
      return normalizeZeekConn(obj, origin);
    },
    end: () => [],
  };
}

function unescapeSep(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, x: string) => String.fromCharCode(parseInt(x, 16)));
}

function typed(v: string, type: string | undefined, h: TsvHeader): unknown {
  if (v === h.unset) return undefined;
  if (type?.startsWith('set[') || type?.startsWith('vector[')) return v === h.empty ? [] : v.split(h.setSep);
  if (v === h.empty) return '';
  switch (type) {
    case 'count':
    case 'int':
    case 'port':
    case 'double':
    case 'interval':
    case 'time':
      return Number.isFinite(Number(v)) ? Number(v) : v;
    case 'bool':
      return v === 'T';
    default:
      return v;
  }
}
