// What goes into an evidence bundle: the container's own writes, never the host data mounted into it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demuxLogs, pathsToArchive } from './evidence.js';

test('changed paths: added directories whole, mount points and what is below them never, a directory holding a mount path by path', () => {
  const changes = [
    { Path: '/tmp', Kind: 1 },
    { Path: '/tmp/c.enc', Kind: 1 },
    { Path: '/usr', Kind: 1 }, // bind mount of the host's /usr
    { Path: '/mnt', Kind: 1 },
    { Path: '/mnt/data', Kind: 1 }, // bind mount of host data
    { Path: '/mnt/notes.txt', Kind: 1 },
    { Path: '/etc', Kind: 0 },
    { Path: '/etc/passwd', Kind: 0 },
    { Path: '/root/.ash_history', Kind: 2 },
  ];
  const r = pathsToArchive(changes, ['/usr', '/mnt/data']);
  assert.deepEqual(r.paths, ['/etc', '/etc/passwd', '/mnt/notes.txt', '/tmp']);
  assert.deepEqual(r.mounts.sort(), ['/mnt/data', '/usr']);
  assert.equal(r.skipped, 0);
  const many = pathsToArchive(
    Array.from({ length: 5 }, (_, i) => ({ Path: `/f${i}`, Kind: 1 })),
    [],
    3,
  );
  assert.deepEqual([many.paths.length, many.skipped], [3, 2]);
});

test('multiplexed Docker logs become text with stderr marked; TTY logs pass through', () => {
  const frame = (stream: number, text: string): Buffer => {
    const b = Buffer.alloc(8 + Buffer.byteLength(text));
    b[0] = stream;
    b.writeUInt32BE(Buffer.byteLength(text), 4);
    b.write(text, 8);
    return b;
  };
  assert.equal(demuxLogs(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')])), 'out 1\n[stderr] err 1\nout 2\n');
  assert.equal(demuxLogs(Buffer.from('plain tty output\n')), 'plain tty output\n');
});
