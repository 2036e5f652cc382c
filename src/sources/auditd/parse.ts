// One audit.log line into a record: type, event time, serial and decoded fields.
// Handles RAW and ENRICHED log formats (the latter appends interpreted fields after 0x1D).

export interface AuditRecord {
  type: string;
  /** Event time in milliseconds since the epoch (audit gives milliseconds). */
  timeMs: number;
  serial: number;
  node?: string;
  /** Decoded fields, `type` first (a field of that name in the record yields to it). */
  fields: Record<string, string>;
}

const HEADER = /^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\):\s?/;

// Fields the kernel hex-encodes when their value holds a space, quote or control byte.
const HEX_FIELDS = new Set(['proctitle', 'name', 'cwd', 'comm', 'exe', 'key', 'data', 'cmd', 'path', 'old-chardev', 'new-chardev', 'argv', 'acct', 'new', 'old', 'ocomm', 'watch', 'root_dir', 'dir', 'filetype', 'vm', 'new-disk', 'old-disk']);

export type ParseResult = { record: AuditRecord } | { error: string };

export function parseAuditLine(line: string): ParseResult {
  const m = HEADER.exec(line);
  if (!m) return { error: 'not an audit record (no type=... msg=audit(time:serial): header)' };
  const [, node, type, sec, frac, serial] = m;
  const body = line.slice(m[0].length);
  const gs = body.indexOf('\x1d');
  // the record's own type leads its field map, so the map is the native record as is
  const fields: Record<string, string> = { type: type! };
  Object.assign(fields, parseFields(gs >= 0 ? body.slice(0, gs) : body, type!));
  fields.type = type!;
  if (gs >= 0) {
    // interpreted values (UID="root", SYSCALL=execve) keep their upper-case names
    for (const [k, v] of Object.entries(parseFields(body.slice(gs + 1), type!, false))) fields[k] ??= v;
  }
  const rec: AuditRecord = { type: type!, timeMs: Number(sec) * 1000 + Number(frac!.padEnd(3, '0').slice(0, 3)), serial: Number(serial), fields };
  if (node) rec.node = node;
  return { record: rec };
}

function parseFields(text: string, type: string, decode = true): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text[i] === ' ') i++;
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq);
    if (/\s/.test(key)) {
      // a stray word without '='; skip it
      i = text.indexOf(' ', i);
      if (i < 0) break;
      continue;
    }
    i = eq + 1;
    let value: string;
    let quoted = false;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      value = text.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
      quoted = true;
    } else if (text[i] === "'") {
      // user-space records nest their own fields in msg='...'
      const end = text.indexOf("'", i + 1);
      const inner = text.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
      for (const [k, v] of Object.entries(parseFields(inner, type, decode))) out[k] ??= v;
      value = inner;
      quoted = true;
    } else if (text[i] === '{') {
      const end = text.indexOf('}', i);
      value = text.slice(i, end < 0 ? n : end + 1);
      i = end < 0 ? n : end + 1;
    } else {
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? n : end);
      i = end < 0 ? n : end;
    }
    if (decode && !quoted && isHexArg(key, type) && /^(?:[0-9A-Fa-f]{2})+$/.test(value)) value = hexDecode(value, key === 'proctitle' ? ' ' : undefined);
    out[key] = value;
  }
  return out;
}

function isHexArg(key: string, type: string): boolean {
  if (HEX_FIELDS.has(key)) return true;
  return type === 'EXECVE' && /^a\d+(\[\d+\])?$/.test(key);
}

/** Hex to text; NULs become `nulAs` (proctitle separates argv with NUL) or the \x01 key separator stays. */
export function hexDecode(hex: string, nulAs?: string): string {
  const bytes = Buffer.from(hex, 'hex');
  let end = bytes.length;
  while (nulAs !== undefined && end > 0 && bytes[end - 1] === 0) end--;
  const s = bytes.subarray(0, end).toString('utf8');
  return nulAs !== undefined ? s.split('\0').join(nulAs) : s;
}

export interface SockAddr {
  family: 'inet' | 'inet6' | 'unix' | 'netlink' | 'other';
  ip?: string;
  port?: number;
  path?: string;
}

/** Decodes SOCKADDR's saddr (hex of struct sockaddr, family in host byte order). */
export function decodeSockaddr(hex: string): SockAddr | undefined {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex) || hex.length < 4) return undefined;
  const b = Buffer.from(hex, 'hex');
  const fam = b.readUInt16LE(0);
  if (fam === 2 && b.length >= 8) return { family: 'inet', port: b.readUInt16BE(2), ip: `${b[4]}.${b[5]}.${b[6]}.${b[7]}` };
  if (fam === 10 && b.length >= 24) {
    const ip = ipv6(b.subarray(8, 24));
    return { family: 'inet6', port: b.readUInt16BE(2), ip };
  }
  if (fam === 1) {
    const rest = b.subarray(2);
    if (rest.length === 0) return { family: 'unix' };
    // abstract socket names start with a NUL; shown with '@' as ss does
    if (rest[0] === 0) return { family: 'unix', path: '@' + rest.subarray(1).toString('utf8').replace(/\0+$/, '') };
    const nul = rest.indexOf(0);
    return { family: 'unix', path: rest.subarray(0, nul < 0 ? rest.length : nul).toString('utf8') };
  }
  if (fam === 16) return { family: 'netlink' };
  return { family: 'other' };
}

function ipv6(b: Buffer): string {
  // v4-mapped addresses read better as IPv4
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
