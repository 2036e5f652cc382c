// An assembled audit event into a StowawayEvent: the syscall's meaning as ECS fields,
// every record (hex decoded) under auditd.records.
import type { LogSource, StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { compact, compactEvent, shallowDefined, diag, fileFields, joinArgs, basename } from '../util.js';
import type { AuditGroup } from './assemble.js';
import { hasMainRecord } from './assemble.js';
import { decodeSockaddr } from './parse.js';
import { syscallName } from './syscalls.js';

type Kind = 'exec' | 'network' | 'file' | 'mount' | 'module' | 'ptrace' | 'namespace' | 'other';

const KIND: Record<string, Kind> = {
  execve: 'exec', execveat: 'exec',
  connect: 'network', accept: 'network', accept4: 'network', bind: 'network', listen: 'network',
  open: 'file', openat: 'file', openat2: 'file', creat: 'file', rename: 'file', renameat: 'file', renameat2: 'file',
  unlink: 'file', unlinkat: 'file', truncate: 'file', ftruncate: 'file', link: 'file', linkat: 'file', symlink: 'file',
  symlinkat: 'file', mkdir: 'file', mkdirat: 'file', rmdir: 'file', chmod: 'file', fchmod: 'file', fchmodat: 'file',
  chown: 'file', fchown: 'file', lchown: 'file', fchownat: 'file', write: 'file',
  mount: 'mount', umount2: 'mount', move_mount: 'mount', fsmount: 'mount', fsopen: 'mount', mount_setattr: 'mount', pivot_root: 'mount',
  init_module: 'module', finit_module: 'module', delete_module: 'module',
  ptrace: 'ptrace', process_vm_writev: 'ptrace', process_vm_readv: 'ptrace',
  setns: 'namespace', unshare: 'namespace',
};

const O_WRONLY = 0x1, O_RDWR = 0x2, O_CREAT = 0x40, O_TRUNC = 0x200;

export function normalizeAuditGroup(g: AuditGroup, origin?: string): SourceRecord[] {
  const out: SourceRecord[] = [];
  const where = origin ?? g.origin;
  if (!hasMainRecord(g)) {
    out.push({ diagnostic: diag('auditd', 'audit-partial-event', `audit event ${g.serial} has only ${g.records.map((r) => r.type).join(',')} records (its head was lost, e.g. across a log rotation); kept as a partial event`, where, 'warning') });
  }
  out.push({ event: toEvent(g, where) });
  return out;
}

export function toEvent(g: AuditGroup, origin?: string): StowawayEvent {
  const byType = (t: string) => g.records.filter((r) => r.type === t);
  const sc = byType('SYSCALL')[0]?.fields;
  const execve = byType('EXECVE')[0]?.fields;
  const cwd = byType('CWD')[0]?.fields.cwd;
  const proctitle = byType('PROCTITLE')[0]?.fields.proctitle;
  const paths = byType('PATH').map((r) => r.fields);
  const sockaddr = byType('SOCKADDR')[0]?.fields.saddr;
  const main = sc ? 'SYSCALL' : g.records[0]!.type;
  const mainFields = sc ?? g.records[0]!.fields;
  const syscall = sc ? (sc.SYSCALL ?? syscallName(sc.arch, sc.syscall)) : undefined;
  const kind: Kind = syscall ? (KIND[syscall] ?? 'other') : 'other';
  const key = clean(mainFields.key);

  const ev: StowawayEvent = {
    '@timestamp': new Date(g.timeMs).toISOString(),
    event: {
      kind: 'event',
      module: 'auditd',
      dataset: 'auditd.log',
      action: syscall ?? main.toLowerCase(),
      code: main,
      sequence: g.serial,
      outcome: sc ? (sc.success === 'yes' ? 'success' : sc.success === 'no' ? 'failure' : 'unknown') : resOutcome(mainFields.res),
    },
    stowaway: { source: 'auditd', logsource: { product: 'linux', service: 'auditd' }, origin },
    auditd: shallowDefined({
      serial: g.serial,
      node: g.node,
      key,
      syscall,
      records: g.records.map((r) => r.fields),
      partial: hasMainRecord(g) ? undefined : true,
    }),
  };
  if (g.node) ev.host = { name: g.node };

  // the acting process, from SYSCALL (or a user-space record's pid/uid/exe)
  const args = execve ? execArgs(execve) : undefined;
  const exe = clean(mainFields.exe);
  ev.process = compact({
    pid: int(mainFields.pid),
    ppid: int(mainFields.ppid),
    executable: exe,
    name: clean(mainFields.comm) ?? basename(exe),
    args,
    args_count: args ? (int(execve?.argc) ?? args.length) : undefined,
    command_line: args ? joinArgs(args) : undefined,
    title: proctitle,
    working_directory: clean(cwd),
    user: { id: mainFields.uid, name: mainFields.UID },
    group: { id: mainFields.gid, name: mainFields.GID },
    parent: int(mainFields.ppid) !== undefined ? { pid: int(mainFields.ppid) } : undefined,
  });
  ev.user = compact({ id: mainFields.uid, name: mainFields.UID, effective: { id: mainFields.euid, name: mainFields.EUID } });
  if (key) ev.tags = [key];

  const ls: LogSource = ev.stowaway.logsource;
  switch (kind) {
    case 'exec': {
      ls.category = 'process_creation';
      ev.event.category = ['process'];
      ev.event.type = ['start'];
      // the PATH item of the executed file gives its path when exe is the interpreter
      break;
    }
    case 'network': {
      const sa = sockaddr ? decodeSockaddr(sockaddr) : undefined;
      const inbound = syscall === 'accept' || syscall === 'accept4';
      if (syscall === 'connect') ls.category = 'network_connection';
      ev.event.category = ['network'];
      ev.event.type = syscall === 'connect' || inbound ? ['connection', 'start'] : ['info'];
      if (sa) {
        ev.network = { type: sa.family === 'inet' ? 'ipv4' : sa.family === 'inet6' ? 'ipv6' : sa.family, direction: inbound ? 'inbound' : syscall === 'connect' ? 'outbound' : undefined };
        const peer = { ip: sa.ip, port: sa.port, address: sa.path ?? sa.ip };
        if (inbound) ev.source = compact(peer);
        else if (syscall === 'connect') ev.destination = compact(peer);
        else ev.source = compact(peer);
      }
      break;
    }
    case 'file': {
      const f = fileChange(syscall!, sc!, paths, cwd);
      if (f.write) {
        ls.category = 'file_event';
        ev.event.category = ['file'];
        ev.event.type = [f.type];
      } else {
        ev.event.category = ['file'];
        ev.event.type = ['access'];
      }
      ev.file = compact({ ...fileFields(f.path), target_path: f.target, mode: f.mode });
      break;
    }
    case 'mount':
      ev.event.category = ['configuration', 'file'];
      ev.event.type = [syscall === 'umount2' ? 'deletion' : 'creation'];
      ev.file = fileFields(resolve(paths.find((p) => p.nametype !== 'PARENT')?.name, cwd));
      break;
    case 'module':
      ev.event.category = ['driver'];
      ev.event.type = [syscall === 'delete_module' ? 'end' : 'start'];
      break;
    case 'ptrace':
      ev.event.category = ['process'];
      ev.event.type = ['access'];
      break;
    case 'namespace':
      ev.event.category = ['process'];
      ev.event.type = ['change'];
      break;
    default:
      if (main === 'CONFIG_CHANGE') ev.event.category = ['configuration'];
      else if (main.startsWith('USER_') || main.startsWith('CRED_') || main === 'LOGIN') ev.event.category = ['authentication'];
  }
  if (kind === 'exec') {
    // exe is the new image after execve; PATH item 0 names what was asked to run
    const asked = paths.find((p) => p.item === '0')?.name;
    if (asked && !ev.process?.executable) ev.process!.executable = resolve(asked, cwd);
  }
  return compactEvent(ev, ['auditd']);
}

function execArgs(f: Record<string, string>): string[] {
  const argc = int(f.argc) ?? 0;
  const out: string[] = [];
  for (let i = 0; i < argc; i++) {
    if (f[`a${i}`] !== undefined) out.push(f[`a${i}`]!);
    else if (f[`a${i}_len`] !== undefined) {
      // long arguments come in a0[0], a0[1] ... pieces
      let s = '';
      for (let j = 0; f[`a${i}[${j}]`] !== undefined; j++) s += f[`a${i}[${j}]`];
      out.push(s);
    }
  }
  return out;
}

function fileChange(syscall: string, sc: Record<string, string>, paths: Record<string, string>[], cwd: string | undefined): { write: boolean; type: string; path?: string; target?: string; mode?: string } {
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
