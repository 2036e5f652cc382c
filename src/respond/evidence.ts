// Evidence first: before anything destructive, what the subject looked like is written
// under the data directory, each file with its sha256, and the manifest says so.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';

export interface EvidenceFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface EvidenceBundle {
  dir: string;
  files: EvidenceFile[];
  /** sha256 of manifest.json, which lists every other file's digest. */
  manifest_sha256: string;
  /** What could not be collected, and why. */
  missing: string[];
}

/** Bounds: a hostile container can fill its filesystem to exhaust ours. */
export const EVIDENCE_LIMITS = { changedPaths: 200, archiveBytes: 256 * 1024 * 1024, logBytes: 16 * 1024 * 1024 };

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);

/** `<dataDir>/evidence/<alert>/<time>-<subject>/`, readable by the owner only. */
export function bundleDir(dataDir: string, alertId: string, subject: string, at = new Date()): string {
  const dir = join(dataDir, 'evidence', safe(alertId), `${at.toISOString().replace(/[:.]/g, '-')}-${safe(subject)}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Writes the files and a manifest of their digests. */
export function writeBundle(dir: string, files: { name: string; data: Buffer | string }[], missing: string[], meta: Record<string, unknown>): EvidenceBundle {
  const listed: EvidenceFile[] = [];
  for (const f of files) {
    const buf = typeof f.data === 'string' ? Buffer.from(f.data) : f.data;
    writeFileSync(join(dir, f.name), buf, { mode: 0o600 });
    listed.push({ name: f.name, bytes: buf.length, sha256: sha256(buf) });
  }
  const manifest = JSON.stringify({ ...meta, collected: new Date().toISOString(), files: listed, missing }, null, 2);
  writeFileSync(join(dir, 'manifest.json'), manifest, { mode: 0o600 });
  return { dir, files: listed, manifest_sha256: sha256(manifest), missing };
}

/** Docker's multiplexed log stream (non-TTY) → plain text with a stream marker per line block. */
export function demuxLogs(buf: Buffer): string {
  // A TTY container's logs are raw; a multiplexed frame starts with 1 or 2 and three zero bytes.
  if (buf.length < 8 || !(buf[0] === 1 || buf[0] === 2) || buf[1] !== 0 || buf[2] !== 0 || buf[3] !== 0) return buf.toString('utf8');
  const out: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const stream = buf[i] === 2 ? 'stderr' : 'stdout';
    const n = buf.readUInt32BE(i + 4);
    const chunk = buf.subarray(i + 8, i + 8 + n).toString('utf8');
    out.push(stream === 'stderr' ? chunk.replace(/^(?=.)/gm, '[stderr] ') : chunk);
    i += 8 + n;
  }
  return out.join('');
}

async function streamToBuffer(s: NodeJS.ReadableStream, max: number): Promise<{ data: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const c of s as AsyncIterable<Buffer>) {
    if (size + c.length > max) {
      truncated = true;
      chunks.push(c.subarray(0, max - size));
      (s as unknown as { destroy?: () => void }).destroy?.();
      break;
    }
    chunks.push(c);
    size += c.length;
  }
  return { data: Buffer.concat(chunks), truncated };
}

interface Change {
  Path: string;
  Kind: number; // 0 modified, 1 added, 2 deleted
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/**
 * The changed paths worth archiving: added or modified, without those already inside an
 * archived directory. Mount points are the host's data, not the container's writes (a bind
 * mount of /usr shows up as a changed /usr): nothing at or below one is archived, and a
 * directory holding one is archived path by path instead of whole.
 */
export function pathsToArchive(
  changes: Change[],
  mounts: string[] = [],
  max = EVIDENCE_LIMITS.changedPaths,
): { paths: string[]; skipped: number; mounts: string[] } {
  const atMount = (p: string): boolean => mounts.some((m) => within(p, m));
  const holdsMount = (p: string): boolean => mounts.some((m) => within(m, p));
  const excluded = changes.filter((c) => c.Kind !== 2 && atMount(c.Path)).map((c) => c.Path);
  const wanted = changes
    .filter((c) => c.Kind !== 2 && !atMount(c.Path) && !(c.Kind === 0 && holdsMount(c.Path)))
    .map((c) => c.Path)
    .sort();
  // An added directory's archive carries everything below it, unless a mount sits below it too.
  const whole = new Set(changes.filter((c) => c.Kind === 1 && !holdsMount(c.Path)).map((c) => c.Path));
  const paths = wanted.filter((p) => {
    if (holdsMount(p)) return false;
    for (let q = p.slice(0, p.lastIndexOf('/')); q; q = q.slice(0, q.lastIndexOf('/'))) if (whole.has(q)) return false;
    return true;
  });
  return { paths: paths.slice(0, max), skipped: Math.max(0, paths.length - max), mounts: excluded };
}

/**
 * A container's state: inspect, filesystem diff, logs, process list, and a tar of each
 * changed path (Docker's archive API; works on running, paused and stopped containers).
 */
export async function preserveContainer(docker: Docker, id: string, dir: string): Promise<EvidenceBundle> {
  const c = docker.getContainer(id);
  const files: { name: string; data: Buffer | string }[] = [];
  const missing: string[] = [];
  const inspect = (await c.inspect()) as { Id: string; Name: string; State?: { Running?: boolean }; Mounts?: { Destination?: string }[] };
  files.push({ name: 'inspect.json', data: JSON.stringify(inspect, null, 2) });
  let changes: Change[] = [];
  try {
    changes = ((await c.changes()) as Change[] | null) ?? [];
    files.push({ name: 'changes.json', data: JSON.stringify(changes, null, 2) });
  } catch (e) {
    missing.push(`changes: ${(e as Error).message}`);
  }
  try {
    const raw = await c.logs({ stdout: true, stderr: true, timestamps: true, follow: false });
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
    files.push({ name: 'logs.txt', data: demuxLogs(buf.subarray(0, EVIDENCE_LIMITS.logBytes)) });
    if (buf.length > EVIDENCE_LIMITS.logBytes) missing.push(`logs truncated at ${EVIDENCE_LIMITS.logBytes} bytes of ${buf.length}`);
  } catch (e) {
    missing.push(`logs: ${(e as Error).message}`);
  }
  if (inspect.State?.Running) {
    try {
      files.push({ name: 'top.json', data: JSON.stringify(await c.top({ ps_args: '-ef' }), null, 2) });
    } catch (e) {
      missing.push(`process list: ${(e as Error).message}`);
    }
  } else missing.push('process list: container not running');
  const mountPoints = (inspect.Mounts ?? []).map((m) => m.Destination).filter((d): d is string => !!d);
  const { paths, skipped, mounts } = pathsToArchive(changes, mountPoints);
  if (mounts.length) missing.push(`not archived, host mounts (see inspect.json Mounts): ${mounts.slice(0, 10).join(', ')}${mounts.length > 10 ? ' …' : ''}`);
  if (skipped) missing.push(`${skipped} changed paths beyond the first ${EVIDENCE_LIMITS.changedPaths} not archived`);
  let budget = EVIDENCE_LIMITS.archiveBytes;
  const index: { path: string; file: string }[] = [];
  for (const [i, p] of paths.entries()) {
    if (budget <= 0) {
      missing.push(`changed path ${p} and later not archived: ${EVIDENCE_LIMITS.archiveBytes} byte budget spent`);
      break;
    }
    try {
      const { data, truncated } = await streamToBuffer(await c.getArchive({ path: p }), budget);
      budget -= data.length;
      const file = `changed-${String(i).padStart(3, '0')}.tar`;
      files.push({ name: file, data });
      index.push({ path: p, file });
      if (truncated) missing.push(`archive of ${p} truncated`);
    } catch (e) {
      missing.push(`archive of ${p}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (index.length) files.push({ name: 'changed-files.json', data: JSON.stringify(index, null, 2) });
  return writeBundle(dir, files, missing, { subject: `container:${inspect.Id}`, name: inspect.Name.replace(/^\//, '') });
}
