// An assembled audit event into a StowawayEvent: the syscall's meaning as ECS fields,
// every record (hex decoded) under auditd.records.
import type { Endpoint, EventMeta, FileInfo, LogSource, NetworkInfo, ProcessInfo, StowawayEvent, StowawayMeta, UserInfo } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { diag, joinArgs, basename, dirname, extension } from '../util.js';
import type { AuditGroup } from './assemble.js';
import { MAIN_TYPES, hasMainRecord } from './assemble.js';
import { decodeSockaddr } from './parse.js';
import { syscallName } from './syscalls.js';

type Kind = 'exec' | 'network' | 'file' | 'mount' | 'module' | 'ptrace' | 'namespace' | 'other';

const KIND: Record<string, Kind> = {
  execve: 'exec',
  execveat: 'exec',
  connect: 'network',
  accept: 'network',
  accept4: 'network',
  bind: 'network',
  listen: 'network',
  open: 'file',
  openat: 'file',
  openat2: 'file',
  creat: 'file',
  rename: 'file',
  renameat: 'file',
  renameat2: 'file',
  unlink: 'file',
  unlinkat: 'file',
  truncate: 'file',
  ftruncate: 'file',
  link: 'file',
  linkat: 'file',
  symlink: 'file',
  symlinkat: 'file',
  mkdir: 'file',
  mkdirat: 'file',
  rmdir: 'file',
  chmod: 'file',
  fchmod: 'file',
  fchmodat: 'file',
  chown: 'file',
  fchown: 'file',
  lchown: 'file',
  fchownat: 'file',
  write: 'file',
  mount: 'mount',
  umount2: 'mount',
  move_mount: 'mount',
  fsmount: 'mount',
  fsopen: 'mount',
  mount_setattr: 'mount',
  pivot_root: 'mount',
  init_module: 'module',
  finit_module: 'module',
  delete_module: 'module',
  ptrace: 'ptrace',
  process_vm_writev: 'ptrace',
  process_vm_readv: 'ptrace',
  setns: 'namespace',
  unshare: 'namespace',
};

const O_WRONLY = 0x1,
  O_RDWR = 0x2,
  O_CREAT = 0x40,
  O_TRUNC = 0x200;

export function normalizeAuditGroup(g: AuditGroup, origin?: string): SourceRecord[] {
  const where = origin ?? g.origin;
  const ev = toEvent(g, where);
  if (hasMainRecord(g)) return [{ event: ev }];
  return [
    {
      diagnostic: diag(
        'auditd',
        'audit-partial-event',
        `audit event ${g.serial} has only ${g.records.map((r) => r.type).join(',')} records (its head was lost, e.g. across a log rotation); kept as a partial event`,
        where,
        'warning',
      ),
    },
    { event: ev },
  ];
}

// Events are built member by member with only the values the records hold, rather than
// assembled with blanks and compacted afterwards: the copy compact() makes was a large
// share of the audit path's time.
export function toEvent(g: AuditGroup, origin?: string): StowawayEvent {
  let sc: Record<string, string> | undefined;
  let execve: Record<string, string> | undefined;
  let cwdRec: Record<string, string> | undefined;
  let titleRec: Record<string, string> | undefined;
  let sockRec: Record<string, string> | undefined;
  const paths: Record<string, string>[] = [];
  let hasMain = false;
  for (const r of g.records) {
    switch (r.type) {
      case 'SYSCALL':
        sc ??= r.fields;
        break;
      case 'EXECVE':
        execve ??= r.fields;
        break;
      case 'CWD':
        cwdRec ??= r.fields;
        break;
      case 'PROCTITLE':
        titleRec ??= r.fields;
        break;
      case 'PATH':
        paths.push(r.fields);
        break;
      case 'SOCKADDR':
        sockRec ??= r.fields;
        break;
    }
    if (!hasMain && MAIN_TYPES.has(r.type)) hasMain = true;
  }
  const cwd = cwdRec?.cwd;
  const proctitle = titleRec?.proctitle;
  const sockaddr = sockRec?.saddr;
  const main = sc ? 'SYSCALL' : g.records[0]!.type;
  const mainFields = sc ?? g.records[0]!.fields;
  const syscall = sc ? (sc.SYSCALL ?? syscallName(sc.arch, sc.syscall)) : undefined;
  const kind: Kind = syscall ? (KIND[syscall] ?? 'other') : 'other';
  const key = clean(mainFields.key);

  const meta: EventMeta = {
    kind: 'event',
    module: 'auditd',
    dataset: 'auditd.log',
    action: syscall ?? main.toLowerCase(),
    code: main,
    sequence: g.serial,
  };
  const outcome = sc ? (sc.success === 'yes' ? 'success' : sc.success === 'no' ? 'failure' : 'unknown') : resOutcome(mainFields.res);
  if (outcome !== undefined) meta.outcome = outcome;
  const ls: LogSource = { product: 'linux', service: 'auditd' };
  const stowaway: StowawayMeta = { source: 'auditd', logsource: ls };
  if (origin !== undefined) stowaway.origin = origin;
  const ev: StowawayEvent = { '@timestamp': isoTime(g.timeMs), event: meta, stowaway };
  if (g.node) ev.host = { name: g.node };

  // the acting process, from SYSCALL (or a user-space record's pid/uid/exe)
  const args = execve ? execArgs(execve) : undefined;
  const exe = clean(mainFields.exe);
  const pid = int(mainFields.pid);
  const ppid = int(mainFields.ppid);
  const proc: ProcessInfo = {};
  if (pid !== undefined) proc.pid = pid;
  if (ppid !== undefined) proc.ppid = ppid;
  if (exe !== undefined) proc.executable = exe;
  const name = toolName(exe, clean(mainFields.comm), args);
  if (name !== undefined) proc.name = name;
  if (args) {
    proc.args = args;
    proc.args_count = int(execve?.argc) ?? args.length;
    proc.command_line = joinArgs(args);
  }
  if (proctitle !== undefined) proc.title = proctitle;
  const wd = clean(cwd);
  if (wd !== undefined) proc.working_directory = wd;
  const user = idName(mainFields.uid, mainFields.UID);
  if (user) proc.user = user;
  const group = idName(mainFields.gid, mainFields.GID);
  if (group) proc.group = group;
  if (ppid !== undefined) proc.parent = { pid: ppid };
  if (kind === 'exec' && !proc.executable) {
    // exe is the new image after execve; PATH item 0 names what was asked to run
    const asked = paths.find((p) => p.item === '0')?.name;
    const resolved = asked ? resolve(asked, cwd) : undefined;
    if (resolved !== undefined) proc.executable = resolved;
  }
  if (!isEmpty(proc)) ev.process = proc;
  const effective = idName(mainFields.euid, mainFields.EUID);
  if (user || effective) {
    const u: UserInfo = {};
    if (user?.id !== undefined) u.id = user.id;
    if (user?.name !== undefined) u.name = user.name;
    if (effective) u.effective = effective;
    ev.user = u;
  }
  if (key) ev.tags = [key];

  switch (kind) {
    case 'exec': {
      ls.category = 'process_creation';
      meta.category = ['process'];
      meta.type = ['start'];
      break;
    }
    case 'network': {
      const sa = sockaddr ? decodeSockaddr(sockaddr) : undefined;
      const inbound = syscall === 'accept' || syscall === 'accept4';
      if (syscall === 'connect') ls.category = 'network_connection';
      meta.category = ['network'];
      meta.type = syscall === 'connect' || inbound ? ['connection', 'start'] : ['info'];
      if (sa) {
        const net: NetworkInfo = { type: sa.family === 'inet' ? 'ipv4' : sa.family === 'inet6' ? 'ipv6' : sa.family };
        if (inbound) net.direction = 'inbound';
        else if (syscall === 'connect') net.direction = 'outbound';
        ev.network = net;
        const peer: Endpoint = {};
        if (sa.ip !== undefined) peer.ip = sa.ip;
        if (sa.port !== undefined) peer.port = sa.port;
        const address = sa.path ?? sa.ip;
        if (address !== undefined) peer.address = address;
        if (!isEmpty(peer)) {
          if (syscall === 'connect') ev.destination = peer;
          else ev.source = peer;
        }
      }
      break;
    }
    case 'file': {
      const f = fileChange(syscall!, sc!, paths, cwd);
      meta.category = ['file'];
      if (f.write) {
        ls.category = 'file_event';
        meta.type = [f.type];
      } else meta.type = ['access'];
      const file = fileInfo(f.path);
      if (f.target !== undefined) file.target_path = f.target;
      if (f.mode !== undefined) file.mode = f.mode;
      if (!isEmpty(file)) ev.file = file;
      break;
    }
    case 'mount': {
      meta.category = ['configuration', 'file'];
      meta.type = [syscall === 'umount2' ? 'deletion' : 'creation'];
      const file = fileInfo(resolve(paths.find((p) => p.nametype !== 'PARENT')?.name, cwd));
      if (!isEmpty(file)) ev.file = file;
      break;
    }
    case 'module':
      meta.category = ['driver'];
      meta.type = [syscall === 'delete_module' ? 'end' : 'start'];
      break;
    case 'ptrace':
      meta.category = ['process'];
      meta.type = ['access'];
      break;
    case 'namespace':
      meta.category = ['process'];
      meta.type = ['change'];
      break;
    default:
      if (main === 'CONFIG_CHANGE') meta.category = ['configuration'];
      else if (main.startsWith('USER_') || main.startsWith('CRED_') || main === 'LOGIN') meta.category = ['authentication'];
  }

  const auditd: Record<string, unknown> = { serial: g.serial };
  if (g.node !== undefined) auditd.node = g.node;
  if (key !== undefined) auditd.key = key;
  if (syscall !== undefined) auditd.syscall = syscall;
  auditd.records = g.records.map((r) => r.fields);
  if (!hasMain) auditd.partial = true;
  ev.auditd = auditd;
  return ev;
}

// Multi-call binaries pick their tool from argv[0] (`busybox nc`, an applet symlink, or the
// applet re-executed through /proc/self/exe, where the kernel names the process `exe`).
const MULTI_CALL = /^(?:busybox|toybox)(?:[.-][\w.-]*)?$/;

/**
 * The tool a process runs: the kernel's name (comm), except for multi-call binaries, where
 * comm is the applet's link name or `exe` and only argv says which tool it is.
 */
export function toolName(exe: string | undefined, comm: string | undefined, args: string[] | undefined): string | undefined {
  const exeName = basename(exe);
  if (exeName !== undefined && MULTI_CALL.test(exeName) && args && args.length > 0) {
    let a0 = basename(args[0]);
    // `busybox nc ...`: the applet is the first argument
    if (a0 !== undefined && MULTI_CALL.test(a0) && args.length > 1 && !args[1]!.startsWith('-')) a0 = basename(args[1]);
    a0 = a0?.replace(/^-/, ''); // a login shell's argv[0] is -sh
    if (a0 !== undefined && a0 !== '' && a0 !== 'exe') return a0;
  }
  return comm ?? exeName;
}

function idName(id: string | undefined, name: string | undefined): { id?: string; name?: string } | undefined {
  if (id === undefined && name === undefined) return undefined;
  const o: { id?: string; name?: string } = {};
  if (id !== undefined) o.id = id;
  if (name !== undefined) o.name = name;
  return o;
}

function fileInfo(path: string | undefined): FileInfo {
  const f: FileInfo = {};
  if (!path) return f;
  f.path = path;
  const name = basename(path);
  if (name !== undefined) f.name = name;
  const dir = dirname(path);
  if (dir !== undefined) f.directory = dir;
  const ext = extension(path);
  if (ext !== undefined) f.extension = ext;
  return f;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

// Audit events arrive in time order, many within one second: the date part is formatted
// once per second (toISOString was a visible cost per event).
let isoSecond = Number.NaN;
let isoPrefix = '';

function isoTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    // outside years 0000-9999 toISOString has another layout; let it speak
    if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
    isoSecond = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const frac = ms - sec * 1000;
  return `${isoPrefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}

function execArgs(f: Record<string, string>): string[] {
  // argc is the record's claim; each argument needs a field of its own, so no more are read
  // than there are fields (a forged argc=13131313 took seconds to walk).
  let fields = 0;
  for (const _ in f) fields++;
  const argc = Math.min(int(f.argc) ?? 0, fields);
  const out: string[] = [];
  for (let i = 0; i < argc; i++) {
    if (f[`a${i}`] !== undefined) out.push(f[`a${i}`]!);
    else if (f[`a${i}_len`] !== undefined) {
      // long arguments come in a0[0], a0[1] ... pieces
      let s = '';
      for (let j = 0, piece = f[`a${i}[0]`]; piece !== undefined; piece = f[`a${i}[${++j}]`]) s += piece;
      out.push(s);
    }
  }
  return out;
}

function fileChange(
  syscall: string,
  sc: Record<string, string>,
  paths: Record<string, string>[],
  cwd: string | undefined,
): { write: boolean; type: string; path?: string; target?: string; mode?: string } {
  const named = (t: string) => paths.find((p) => p.nametype === t)?.name;
  const anyPath = () => paths.find((p) => p.nametype !== 'PARENT')?.name ?? paths[0]?.name;
  switch (syscall) {
    case 'open':
    case 'openat':
    case 'openat2':
    case 'creat': {
      const flags = syscall === 'creat' ? O_CREAT | O_WRONLY : syscall === 'open' ? parseInt(sc.a1 ?? '0', 16) : parseInt(sc.a2 ?? '0', 16);
      const write = syscall === 'openat2' || (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) !== 0;
      const created = named('CREATE');
      return { write, type: created ? 'creation' : 'change', path: resolve(created ?? anyPath(), cwd), mode: paths.find((p) => p.nametype !== 'PARENT')?.mode };
    }
    case 'rename':
    case 'renameat':
    case 'renameat2':
      return { write: true, type: 'change', path: resolve(named('DELETE'), cwd), target: resolve(named('CREATE'), cwd) };
    case 'unlink':
    case 'unlinkat':
    case 'rmdir':
      return { write: true, type: 'deletion', path: resolve(named('DELETE') ?? anyPath(), cwd) };
    case 'link':
    case 'linkat':
    case 'symlink':
    case 'symlinkat':
    case 'mkdir':
    case 'mkdirat':
      return { write: true, type: 'creation', path: resolve(named('CREATE') ?? anyPath(), cwd) };
    default:
      return { write: true, type: 'change', path: resolve(anyPath(), cwd) };
  }
}

function resolve(p: string | undefined, cwd: string | undefined): string | undefined {
  p = clean(p);
  if (!p) return undefined;
  if (p.startsWith('/') || !cwd) return p;
  return `${cwd.replace(/\/$/, '')}/${p.replace(/^\.\//, '')}`;
}

function clean(v: string | undefined): string | undefined {
  if (v === undefined || v === '(null)' || v === '(none)' || v === '?' || v === '') return undefined;
  return v;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

function resOutcome(res: string | undefined): 'success' | 'failure' | undefined {
  if (res === undefined) return undefined;
  return res === '1' || res === 'success' ? 'success' : 'failure';
}
