// One live validation per host at a time. Runs share the Docker engine, the
// audit rules and the sweep of leftovers; two at once would remove each
// other's containers. A second run waits for the first; a lock whose owner
// died is taken over.
import { open, readFile, stat, unlink } from 'node:fs/promises';

export const LOCK_FILE = '/tmp/stowaway-emulation.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HostLock {
  release(): Promise<void>;
  /** Milliseconds spent waiting for another run. */
  waited_ms: number;
}

export async function acquireHostLock(opts: { waitS?: number; file?: string; onWait?: (owner: number) => void } = {}): Promise<HostLock> {
  const file = opts.file ?? LOCK_FILE;
  const t0 = Date.now();
  const deadline = t0 + (opts.waitS ?? 900) * 1000;
  let told = false;
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return {
        waited_ms: Date.now() - t0,
        release: async () => {
          const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
          if (owner === process.pid) await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const text = (await readFile(file, 'utf8').catch(() => '')).trim();
    const owner = Number(text);
    const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
    // An empty file is an owner between creating and writing it, unless it stayed empty.
    const stale = text === '' ? age > 5000 : !Number.isInteger(owner) || owner <= 0 || owner === process.pid || !alive(owner);
    if (stale) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another live validation (pid ${owner}) still holds ${file}`);
    if (!told) {
      opts.onWait?.(owner);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
