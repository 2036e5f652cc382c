// Syscall numbers for RAW audit logs (ENRICHED logs name the syscall themselves).
// Only the calls stowaway categorizes or its audit rules ask for.

const X86_64: Record<number, string> = {
  1: 'write',
  2: 'open',
  42: 'connect',
  43: 'accept',
  44: 'sendto',
  49: 'bind',
  50: 'listen',
  56: 'clone',
  57: 'fork',
  58: 'vfork',
  59: 'execve',
  62: 'kill',
  76: 'truncate',
  77: 'ftruncate',
  82: 'rename',
  83: 'mkdir',
  84: 'rmdir',
  85: 'creat',
  86: 'link',
  87: 'unlink',
  88: 'symlink',
  90: 'chmod',
  91: 'fchmod',
  92: 'chown',
  93: 'fchown',
  94: 'lchown',
  101: 'ptrace',
  105: 'setuid',
  106: 'setgid',
  113: 'setreuid',
  117: 'setresuid',
  126: 'capset',
  135: 'personality',
  155: 'pivot_root',
  161: 'chroot',
  165: 'mount',
  166: 'umount2',
  175: 'init_module',
  176: 'delete_module',
  200: 'tkill',
  234: 'tgkill',
  246: 'kexec_load',
  257: 'openat',
  258: 'mkdirat',
  260: 'fchownat',
  263: 'unlinkat',
  264: 'renameat',
  265: 'linkat',
  266: 'symlinkat',
  268: 'fchmodat',
  272: 'unshare',
  288: 'accept4',
  304: 'open_by_handle_at',
  308: 'setns',
  310: 'process_vm_readv',
  311: 'process_vm_writev',
  313: 'finit_module',
  316: 'renameat2',
  319: 'memfd_create',
  320: 'kexec_file_load',
  321: 'bpf',
  322: 'execveat',
  429: 'move_mount',
  430: 'fsopen',
  432: 'fsmount',
  435: 'clone3',
  437: 'openat2',
  442: 'mount_setattr',
};

const AARCH64: Record<number, string> = {
  34: 'mkdirat',
  35: 'unlinkat',
  36: 'symlinkat',
  37: 'linkat',
  38: 'renameat',
  39: 'umount2',
  40: 'mount',
  41: 'pivot_root',
  45: 'truncate',
  46: 'ftruncate',
  51: 'chroot',
  52: 'fchmod',
  53: 'fchmodat',
  54: 'fchownat',
  55: 'fchown',
  56: 'openat',
  64: 'write',
  91: 'capset',
  97: 'unshare',
  104: 'kexec_load',
  105: 'init_module',
  106: 'delete_module',
  117: 'ptrace',
  129: 'kill',
  146: 'setuid',
  200: 'bind',
  201: 'listen',
  202: 'accept',
  203: 'connect',
  206: 'sendto',
  220: 'clone',
  221: 'execve',
  242: 'accept4',
  265: 'open_by_handle_at',
  268: 'setns',
  270: 'process_vm_readv',
  271: 'process_vm_writev',
  273: 'finit_module',
  276: 'renameat2',
  279: 'memfd_create',
  280: 'bpf',
  281: 'execveat',
  294: 'kexec_file_load',
  429: 'move_mount',
  430: 'fsopen',
  432: 'fsmount',
  435: 'clone3',
  437: 'openat2',
  442: 'mount_setattr',
};

const I386: Record<number, string> = { 11: 'execve', 21: 'mount', 26: 'ptrace', 128: 'init_module', 350: 'finit_module' };

/** Syscall name for an audit `arch` (hex AUDIT_ARCH_*) and number; undefined when unknown. */
export function syscallName(arch: string | undefined, nr: string | undefined): string | undefined {
  if (nr === undefined) return undefined;
  if (!/^\d+$/.test(nr)) return nr; // already a name
  const n = Number(nr);
  switch ((arch ?? '').toLowerCase()) {
    case 'c000003e':
    case 'x86_64':
      return X86_64[n];
    case 'c00000b7':
    case 'aarch64':
      return AARCH64[n];
    case '40000003':
    case 'i386':
      return I386[n];
    default:
      return undefined;
  }
}
