// ADS-0001: network share volumes (CIFS, NFS, by flag, --mount and named volume), and ordinary volumes.
import type { Variant } from '../types.js';
import { RULES, type Box, type Spec, pos, ben } from './steps.js';

export function ads0001(): Variant[] {
  const S = 'ADS-0001';
  const T = 'T1039';
  const share = (type: string, device: string, o: string): string =>
    `--mount 'type=volume,dst=/mnt/share,volume-driver=local,volume-opt=type=${type},volume-opt=device=${device},"volume-opt=o=${o}"'`;
  const p = (id: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
    pos({ strategy: S, id, family: 'share-volume', technique: T, description, expect: [RULES.shareVolume], box, ...more });
  const namedVolume = (type: string, device: string, o: string): string[] => [
    `docker volume create --label stowaway.emulation=1 --label "stowaway.scenario=$MARK" --driver local --opt type=${type} --opt device=${device} --opt o=${o} "$MARK-share" >/dev/null`,
  ];
  const dropVolume = ['docker volume rm "$MARK-share" >/dev/null 2>&1 || true'];
  const out: Variant[] = [
    p('cfg-cifs-mount-flag', 'A CIFS share as a local-driver volume in --mount.', {
      verb: 'create',
      args: share('cifs', '//fileserver/admin', 'username=svc,password=x'),
    }),
    p('cfg-cifs-upper-case', 'The same CIFS volume with the type in capitals.', { verb: 'create', args: share('CIFS', '//fileserver/admin', 'username=svc') }),
    p('cfg-smb3-mount-flag', 'An SMB3 share as a local-driver volume.', { verb: 'create', args: share('smb3', '//fileserver/finance', 'username=svc') }),
    p('cfg-nfs-mount-flag', 'An NFS export as a local-driver volume.', { verb: 'create', args: share('nfs', ':/exports/home', 'addr=10.0.0.5,ro') }),
    p('cfg-nfs4-mount-flag', 'An NFSv4 export as a local-driver volume.', { verb: 'create', args: share('nfs4', ':/', 'addr=10.0.0.5') }),
    p(
      'cfg-named-cifs-volume',
      'A CIFS volume made first with docker volume create, then used by name with -v.',
      { verb: 'create', args: '-v "$MARK-share:/mnt/share"' },
      {
        setup: namedVolume('cifs', '//fileserver/admin', 'username=svc'),
        cleanup: dropVolume,
      },
    ),
    p(
      'cfg-named-nfs-volume',
      'An NFS volume made first, then used by name with --mount source=.',
      { verb: 'create', args: '--mount "source=$MARK-share,target=/mnt/share"' },
      {
        setup: namedVolume('nfs', ':/exports', 'addr=10.0.0.5'),
        cleanup: dropVolume,
      },
    ),
    // A Linux bind source written `//fileserver/share` is the local path /fileserver/share, not a share:
    // UNC sources are a Windows-container spelling and are not generated here.
    p('cfg-cifs-ip-admin-share', "A host's administrative share (C$) by IP address as a CIFS volume.", {
      verb: 'create',
      args: share('cifs', '//10.0.0.5/C$', 'username=administrator,vers=3.0'),
    }),
  ];
  const b = (id: string, description: string, box: Box, more: Partial<Spec> = {}): Variant =>
    ben({ strategy: S, id, family: 'benign-volume', description, box, ...more });
  out.push(
    b(
      'cfg-named-local-volume',
      'An application with its state in a named local volume.',
      { verb: 'run', args: '-v "$MARK-data:/var/lib/app"' },
      { cleanup: ['docker volume rm "$MARK-data" >/dev/null 2>&1 || true'] },
    ),
    b(
      'cfg-local-bind-volume',
      'A local volume that binds a host directory (type none, o=bind), as Docker documents.',
      { verb: 'run', args: '-v "$MARK-share:/data"' },
      {
        setup: [
          'mkdir -p "$WORK/data"',
          'docker volume create --label stowaway.emulation=1 --label "stowaway.scenario=$MARK" --driver local --opt type=none --opt o=bind --opt device="$WORK/data" "$MARK-share" >/dev/null',
        ],
        cleanup: dropVolume,
      },
    ),
    b('cfg-tmpfs-mount', 'A cache on tmpfs (--mount type=tmpfs).', { verb: 'run', args: '--mount type=tmpfs,dst=/cache,tmpfs-size=16m' }),
    b('cfg-tmpfs-volume', 'A local-driver volume of type tmpfs.', {
      verb: 'run',
      args: "--mount 'type=volume,dst=/scratch,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs'",
    }),
    b(
      'cfg-nginx-static-ro',
      'nginx serving a static site mounted read-only.',
      { verb: 'run', image: 'nginx', args: '-v "$WORK/site:/usr/share/nginx/html:ro"' },
      { setup: ['mkdir -p "$WORK/site"', 'echo ok > "$WORK/site/index.html"'] },
    ),
    b('cfg-ci-builds-dir', 'A CI job with its builds directory bind-mounted.', { verb: 'run', args: '-v "$WORK/builds:/builds" -w /builds' }),
  );
  return out;
}
