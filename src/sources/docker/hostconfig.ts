// What a container's HostConfig really grants, in the one spelling rules match on. The same
// setting reaches the engine in many spellings (`/var/run/docker.sock`, `/run//docker.sock/`,
// `/tmp/../run/docker.sock`; `seccomp=unconfined`, `seccomp:unconfined`, a profile that allows
// everything), and a rule written for one of them must not miss the others.
import type { ContainerSecurity, DeviceRule, MountInfo } from '../../model/event.js';

/**
 * A host path as the kernel resolves it: `//` and trailing slashes collapsed, `.` and `..`
 * resolved, and `/var/run` written as `/run` (on every current distribution `/var/run` is a
 * symlink to `/run`, so both name the same socket). Undefined for what is not an absolute path
 * (a named volume, a Windows path).
 */
export function normalizeHostPath(p: string | undefined): string | undefined {
  if (!p || !p.startsWith('/')) return undefined;
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  let out = '/' + parts.join('/');
  if (out === '/var/run' || out.startsWith('/var/run/')) out = '/run' + out.slice('/var/run'.length);
  return out;
}

/** Bind-mounted host paths, normalized, and the writable ones. Volumes, tmpfs and pipes are not host paths. */
export function hostPaths(mounts: MountInfo[] | undefined): { all: string[]; rw: string[] } {
  const all = new Set<string>();
  const rw = new Set<string>();
  for (const m of mounts ?? []) {
    if (m.type !== undefined && m.type !== 'bind') continue;
    const p = normalizeHostPath(m.source);
    if (!p) continue;
    all.add(p);
    if (m.rw !== false && !(m.mode ?? '').split(',').includes('ro')) rw.add(p);
  }
  return { all: [...all], rw: [...rw] };
}

/**
 * Reads `HostConfig.SecurityOpt`. Docker keeps the options as given: `key=value`, the older
 * `key:value`, bare `no-new-privileges`, and for `seccomp=<file>` the profile's JSON itself.
 */
export function parseSecurityOpt(opts: string[] | undefined): ContainerSecurity | undefined {
  if (!opts?.length) return undefined;
  const sec: ContainerSecurity = {};
  for (const raw of opts) {
    const m = /^([a-z-]+)(?:[=:](.*))?$/is.exec(raw.trim());
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2];
    switch (key) {
      case 'seccomp':
        sec.seccomp = seccompMode(value);
        break;
      case 'apparmor':
        if (value) sec.apparmor = value;
        break;
      case 'label':
        if (!value) break;
        if (value === 'disable' || value === 'disabled') sec.selinux = 'disable';
        else if (value.startsWith('type:')) sec.selinux = value.slice(5);
        break;
      case 'no-new-privileges':
        sec.no_new_privileges = value === undefined || value === '' ? true : /^(true|1|yes)$/i.test(value);
        break;
      case 'systempaths':
        if (value) sec.systempaths = value;
        break;
    }
  }
  return Object.keys(sec).length ? sec : undefined;
}

// A profile file is stored as its JSON text. One whose default action lets every syscall through
// (or only logs it) confines nothing: it is `unconfined` under another name.
function seccompMode(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value === 'unconfined') return 'unconfined';
  const t = value.trim();
  if (!t.startsWith('{')) return 'profile';
  try {
    const p = JSON.parse(t) as { defaultAction?: unknown };
    const a = typeof p.defaultAction === 'string' ? p.defaultAction.toUpperCase() : '';
    return a === 'SCMP_ACT_ALLOW' || a === 'SCMP_ACT_LOG' ? 'permissive' : 'profile';
  } catch {
    return 'profile';
  }
}

/** `HostConfig.DeviceCgroupRules`: `c 1:3 mr`, `b *:* rwm`, `a`. Malformed entries are skipped (dockerd refuses them). */
export function parseDeviceRules(rules: string[] | undefined): DeviceRule[] | undefined {
  const out: DeviceRule[] = [];
  for (const r of rules ?? []) {
    const m = /^\s*([abc])(?:\s+([0-9]+|\*):([0-9]+|\*))?(?:\s+([rwm]+))?\s*$/.exec(r);
    if (!m) continue;
    const type = m[1]!;
    // `a` alone is every device with every access.
    out.push({ type, major: m[2] ?? '*', minor: m[3] ?? '*', access: m[4] ?? 'rwm' });
  }
  return out.length ? out : undefined;
}

/** Host and container paths of `HostConfig.Devices`, normalized. */
export function devicePaths(devices: unknown): string[] | undefined {
  if (!Array.isArray(devices)) return undefined;
  const out = new Set<string>();
  for (const d of devices) {
    if (d === null || typeof d !== 'object') continue;
    const o = d as Record<string, unknown>;
    for (const k of ['PathOnHost', 'PathInContainer']) {
      const p = normalizeHostPath(typeof o[k] === 'string' ? o[k] : undefined);
      if (p) out.add(p);
    }
  }
  return out.size ? [...out] : undefined;
}
