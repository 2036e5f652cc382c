// ADS-0001: copies of data to network share paths, and ordinary copies that look like them.
import type { EmulationStep } from '../../live/format.js';
import type { Variant } from '../types.js';
import { RULES, step, container, entrypoint, exec, type Spec, variants } from './steps.js';

export function shareCopies(): Variant[] {
  const T = 'T1039';
  const SHARE = '-v "$WORK/share:/mnt/admin/share" -v "$WORK/data:/srv/data:ro"';
  const setup = [step('mkdir -p "$WORK/share" "$WORK/data" && echo secret > "$WORK/data/sensitive.txt"')];
  const proc: string[] = [RULES.copyShareProc];
  const pos = (id: string, description: string, steps: EmulationStep[], expect = proc, mounts = SHARE): Spec => ({
    id,
    kind: 'positive',
    family: 'share-copy',
    technique: T,
    expect,
    description,
    setup,
    steps: steps.length ? steps : [entrypoint('true', { mounts })],
  });
  const m = (extra: string) => `${SHARE} ${extra}`;
  return variants('ADS-0001', [
    pos('share-cp-entrypoint', "The container's own command copies data into the mounted share (sh -c 'cp ...').", [
      entrypoint('cp /srv/data/sensitive.txt /mnt/admin/share/; sleep 1', { mounts: SHARE }),
    ]),
    pos('share-cp-selfexe', 'busybox cp re-executed through /proc/self/exe, as busybox sh runs applets: the kernel names it exe.', [
      entrypoint('(exec -a cp /proc/self/exe /srv/data/sensitive.txt /mnt/admin/share/x); sleep 1', { mounts: SHARE }),
    ]),
    pos(
      'share-cp-target-dir',
      'docker exec cp -t /media/nas DIR (target given first with -t).',
      [container({ mounts: m('-v "$WORK/share:/media/nas"') }), exec('cp -t /media/nas /srv/data/sensitive.txt')],
      [RULES.copyShareProc, RULES.copyShareExec],
    ),
    pos('share-tar-to-nfs', "The container's command archives the data straight onto an NFS-style path with tar -cf.", [
      entrypoint('tar -cf /nfs/export/loot.tar /srv/data; sleep 1', { mounts: m('-v "$WORK/share:/nfs/export"') }),
    ]),
    pos('share-dd-of', 'dd if=... of=/net/fileserver/... from the container command.', [
      entrypoint('dd if=/srv/data/sensitive.txt of=/net/fileserver/s.bin 2>/dev/null; sleep 1', { mounts: m('-v "$WORK/share:/net/fileserver"') }),
    ]),
    pos(
      'share-mv-smb',
      'docker exec mv of staged data into /srv/smb/shared/.',
      [container({ mounts: m('-v "$WORK/share:/srv/smb/shared"') }), exec('sh -c "cp /srv/data/sensitive.txt /tmp/s && mv /tmp/s /srv/smb/shared/"')],
      [RULES.copyShareProc],
    ),
    pos(
      'share-busybox-cp-arg',
      'docker exec `busybox cp` (the applet as first argument) into the share.',
      [container({ mounts: SHARE }), exec('busybox cp /srv/data/sensitive.txt /mnt/admin/share/b.txt')],
      [RULES.copyShareProc, RULES.copyShareExec],
    ),
    pos('share-install', "`install -m 600` as the copy tool, from the container's command.", [
      entrypoint('install -m 600 /srv/data/sensitive.txt /mnt/admin/share/i.txt; sleep 1', { mounts: SHARE }),
    ]),
    pos('share-scp-remote', 'scp of the data to a remote file server host:path from inside the container (no server here: the start is the signal).', [
      entrypoint('/usr/bin/scp -o BatchMode=yes -o ConnectTimeout=1 /srv/data/sensitive.txt svc@fileserver:/share/ 2>/dev/null; sleep 1', { mounts: SHARE }),
    ]),
    pos(
      'share-mount-cifs-entrypoint',
      "The container's command mounts a CIFS share itself (refused without privileges; the attempt is the signal).",
      [entrypoint('mount -t cifs //fileserver/admin /mnt/x -o username=svc 2>/dev/null; sleep 1', { mounts: SHARE })],
      [RULES.mountShareProc],
    ),
    pos(
      'share-mount-nfs4-exec',
      'docker exec mount -t nfs4 fileserver:/export.',
      [container({ mounts: SHARE }), exec('mount -t nfs4 fileserver:/export /mnt/x')],
      [RULES.mountShareProc, RULES.mountShareExec],
    ),
    ...[
      {
        id: 'copy-to-tmp',
        description: 'Build container copies sources to /tmp to work on them.',
        steps: [entrypoint('cp -r /srv/data /tmp/build && ls /tmp/build >/dev/null', { mounts: SHARE })],
      },
      {
        id: 'copy-from-share-config',
        description: 'App start script reads its config FROM a mounted share into /etc/app (copy out of a share, not into it).',
        steps: [entrypoint('mkdir -p /etc/app && cp /mnt/admin/share/app.conf /etc/app/app.conf', { mounts: SHARE })],
      },
      {
        id: 'nginx-html-usr-share',
        description: 'docker exec cp of a page into /usr/share/nginx/html (the classic nginx content path).',
        steps: [
          container({ mounts: SHARE }),
          exec('sh -c "mkdir -p /usr/local/share/nginx/html 2>/dev/null; cp /srv/data/sensitive.txt /tmp/index.html"'),
          exec('cp /tmp/index.html /usr/share/nginx/html/index.html'),
        ],
      },
      {
        id: 'backup-tar-local',
        description: 'Backup job tars app data into its /backup bind mount.',
        steps: [entrypoint('tar -czf /backup/app.tar.gz -C /srv/data .', { mounts: `${SHARE} -v "$WORK/backup:/backup"` })],
      },
      {
        id: 'ls-share-inventory',
        description: 'Inventory script lists and checksums what is on the share (reads only).',
        steps: [entrypoint('ls -la /mnt/admin/share && md5sum /mnt/admin/share/* 2>/dev/null; true', { mounts: SHARE })],
      },
    ].map((b): Spec => ({
      ...b,
      kind: 'benign',
      family: 'share-copy',
      setup: [
        step('mkdir -p "$WORK/share" "$WORK/data" "$WORK/backup" && echo secret > "$WORK/data/sensitive.txt" && echo "port=80" > "$WORK/share/app.conf"'),
      ],
    })),
  ]);
}
