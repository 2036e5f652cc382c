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
const HEX_FIELDS = new Set([
  'proctitle',
  'name',
  'cwd',
  'comm',
  'exe',
  'key',
  'data',
  'cmd',
  'path',
  'old-chardev',
  'new-chardev',
  'argv',
  'acct',
  'new',
  'old',
  'ocomm',
  'watch',
  'root_dir',
  'dir',
  'filetype',
  'vm',
  'new-disk',
  'old-disk',
]);

const MAX_TIME_MS = 8.64e15;

export type ParseResult = { record: AuditRecord } | { error: string };

// A busy host writes thousands of records a second and the live tail parses each one, so
// fields are read in place by index and written straight into the record's map: no slices
// of the body, no intermediate maps.
export function parseAuditLine(line: string): ParseResult {
  const m = HEADER.exec(line);
  if (!m) return { error: 'not an audit record (no type=... msg=audit(time:serial): header)' };
  const node = m[1];
  const type = m[2]!;
  const frac = m[4]!;
  const timeMs = Number(m[3]) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3));
  // past what a date can hold (year 275760): no event time can be given to it
  if (!(timeMs <= MAX_TIME_MS)) return { error: `audit record time ${m[3]}.${frac} is out of range` };
  const from = m[0].length;
  const gs = line.indexOf('\x1d', from);
  // the record's own type leads its field map, so the map is the native record as is
  const fields: Record<string, string> = { type };
  parseFields(fields, line, from, gs >= 0 ? gs : line.length, type, true, RAW_KEYS);
  fields.type = type;
  if (gs >= 0) {
    // interpreted values (UID="root", SYSCALL=execve) keep their upper-case names
    const interpreted: Record<string, string> = {};
    parseFields(interpreted, line, gs + 1, line.length, type, false, INTERPRETED_KEYS);
    for (const k in interpreted) fields[k] ??= interpreted[k]!;
  }
  const rec: AuditRecord = { type, timeMs, serial: Number(m[5]), fields };
  if (node) rec.node = node;
  return { record: rec };
}

/**
 * The field names the last record of each type had, in order. Records of one type nearly
 * always repeat them: a name read where it was expected is the stored string, which spares
 * a fresh string per field and the property-key lookup a fresh string costs.
 */
class KeyMemory {
  private readonly byType = new Map<string, string[]>();
  /** Names read from the current record so far. */
  readonly scratch: string[] = [];

  expected(type: string): string[] | undefined {
    return this.byType.get(type);
  }

  remember(type: string, count: number, expected: string[] | undefined): void {
    if (expected && expected.length === count && this.scratch.length >= count) {
      let same = true;
      for (let k = 0; k < count && same; k++) same = expected[k] === this.scratch[k];
      if (same) return;
    }
    // bounded: garbage input must not grow it
    if (this.byType.size >= 512 && !this.byType.has(type)) return;
    this.byType.set(type, this.scratch.slice(0, count));
  }
}

const RAW_KEYS = new KeyMemory();
const INTERPRETED_KEYS = new KeyMemory();

/** Parses `key=value ...` in text[from, to) into out; a later duplicate key wins. */
function parseFields(out: Record<string, string>, text: string, from: number, to: number, type: string, decode: boolean, memory?: KeyMemory): void {
  const expect = memory?.expected(type);
  let n = 0;
  let i = from;
  while (i < to) {
    while (i < to && text.charCodeAt(i) === 32) i++;
    const eq = before(text.indexOf('=', i), to);
    if (eq < 0) break;
    let key: string;
    const known = expect?.[n];
    if (known !== undefined && eq - i === known.length && sameAt(text, i, known)) key = known;
    else if (hasWhitespace(text, i, eq)) {
      // a stray word without '='; skip it
      i = before(text.indexOf(' ', i), to);
      if (i < 0) break;
      continue;
    } else key = text.slice(i, eq);
    if (memory) memory.scratch[n] = key;
    n++;
    i = eq + 1;
    let value: string;
    let quoted = false;
    const c = i < to ? text.charCodeAt(i) : -1;
    if (c === 34 /* " */) {
      const end = before(text.indexOf('"', i + 1), to);
      value = text.slice(i + 1, end < 0 ? to : end);
      i = end < 0 ? to : end + 1;
      quoted = true;
    } else if (c === 39 /* ' */) {
      // user-space records nest their own fields in msg='...'
      const end = before(text.indexOf("'", i + 1), to);
      const innerEnd = end < 0 ? to : end;
      const inner: Record<string, string> = {};
      parseFields(inner, text, i + 1, innerEnd, type, decode);
      for (const k in inner) out[k] ??= inner[k]!;
      value = text.slice(i + 1, innerEnd);
      i = end < 0 ? to : end + 1;
      quoted = true;
    } else if (c === 123 /* { */) {
      const end = before(text.indexOf('}', i), to);
      value = text.slice(i, end < 0 ? to : end + 1);
      i = end < 0 ? to : end + 1;
    } else {
      const end = before(text.indexOf(' ', i), to);
      value = text.slice(i, end < 0 ? to : end);
      i = end < 0 ? to : end;
    }
    if (decode && !quoted && isHexArg(key, type) && isHex(value)) value = hexDecode(value, key === 'proctitle' ? ' ' : undefined);
    out[key] = value;
  }
  memory?.remember(type, n, expect);
}

// Names are a few characters: compared inline, which profiles cheaper than startsWith(known, at)
// on the sliced strings lines arrive as.
function sameAt(text: string, at: number, s: string): boolean {
  for (let k = 0; k < s.length; k++) if (text.charCodeAt(at + k) !== s.charCodeAt(k)) return false;
  return true;
}

/** An index found by indexOf, or -1 when it lies at or past `to`. */
function before(idx: number, to: number): number {
  return idx < to ? idx : -1;
}

const SPACE = /\s/;

// Same answer as /\s/ on text[from, to), without slicing: keys are almost always plain ASCII.
function hasWhitespace(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 32 || (c >= 9 && c <= 13)) return true;
    if (c >= 160 && SPACE.test(text[k]!)) return true;
  }
  return false;
}

const EXECVE_ARG = /^a\d+(\[\d+\])?$/;

function isHexArg(key: string, type: string): boolean {
  if (HEX_FIELDS.has(key)) return true;
  return type === 'EXECVE' && EXECVE_ARG.test(key);
}

/** One or more whole bytes of hex digits. */
function isHex(v: string): boolean {
  const n = v.length;
  if (n === 0 || n % 2 !== 0) return false;
  for (let k = 0; k < n; k++) {
    const c = v.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Hex to text; NULs become `nulAs` (proctitle separates argv with NUL) or the \x01 key separator stays. */
export function hexDecode(hex: string, nulAs?: string): string {
  const bytes = Buffer.from(hex, 'hex');
  let end = bytes.length;
  while (nulAs !== undefined && end > 0 && bytes[end - 1] === 0) end--;
  const s = bytes.toString('utf8', 0, end);
  return nulAs !== undefined ? s.replaceAll('\0', nulAs) : s;
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
  for (let i = 0; i < 8;) {
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
