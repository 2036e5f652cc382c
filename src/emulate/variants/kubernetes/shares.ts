// ADS-0001: inline network share volumes, and the ordinary storage that looks like them.
import { DEV, ADMIN, HELM, CI } from './audit.js';
import { type Obj, type WorkloadKind, type PodShape, createWorkload, ALPINE } from './workload.js';
import { R, type Spec } from './spec.js';

export function ads0001Positive(): Spec[] {
  const share = (volume: Obj): PodShape => ({
    spec: {
      containers: [{ name: 'copy', image: ALPINE, command: ['sh', '-c', 'cp -r /data /share/'], volumeMounts: [{ name: 'share', mountPath: '/share' }] }],
      volumes: [{ name: 'share', ...volume }],
    },
  });
  const T = 'T1039';
  const list: Array<[WorkloadKind, string, Obj, string]> = [
    ['Pod', 'share-nfs-pod', { nfs: { server: '10.0.8.20', path: '/exports/finance' } }, 'an inline NFS volume'],
    [
      'Deployment',
      'share-nfs-deployment',
      { nfs: { server: 'files.corp.example', path: '/exports/hr', readOnly: true } },
      'an inline NFS volume in its template',
    ],
    ['CronJob', 'share-nfs-cronjob', { nfs: { server: '10.0.8.20', path: '/exports/admin' } }, 'an inline NFS volume in its job template'],
    [
      'StatefulSet',
      'share-smb-csi-statefulset',
      { csi: { driver: 'smb.csi.k8s.io', volumeAttributes: { source: '//fileserver/finance' }, nodePublishSecretRef: { name: 'smbcreds' } } },
      'an inline SMB CSI volume',
    ],
    [
      'DaemonSet',
      'share-flex-cifs-daemonset',
      {
        flexVolume: {
          driver: 'fstab/cifs',
          fsType: 'cifs',
          secretRef: { name: 'cifs-secret' },
          options: { networkPath: '//fileserver/share', mountOptions: 'dir_mode=0755' },
        },
      },
      'a CIFS flexVolume',
    ],
    [
      'Job',
      'share-cephfs-job',
      { cephfs: { monitors: ['10.0.9.1:6789'], path: '/finance', user: 'admin', secretRef: { name: 'ceph-secret' } } },
      'an inline CephFS volume',
    ],
    [
      'ReplicaSet',
      'share-azurefile-replicaset',
      { azureFile: { secretName: 'azure-secret', shareName: 'finance', readOnly: false } },
      'an in-tree Azure Files (SMB) volume',
    ],
    [
      'Pod',
      'share-nfs-csi-pod',
      { csi: { driver: 'nfs.csi.k8s.io', volumeAttributes: { server: '10.0.8.20', share: '/exports/finance' } } },
      'an inline NFS CSI volume',
    ],
  ];
  const out: Spec[] = list.map(([kind, id, volume, what]) => ({
    id,
    family: kind === 'Pod' ? 'k8s-share-volume' : 'k8s-controller',
    technique: T,
    description: `A developer creates a ${kind} with ${what}.`,
    expect: [R.share],
    requests: [createWorkload(DEV, kind, id, 'default', share(volume))],
  }));
  out.push({
    id: 'share-nfs-json-patch',
    family: 'k8s-patch',
    technique: T,
    description: 'A JSON patch adds an NFS volume to an existing Deployment.',
    expect: [R.share],
    requests: [
      {
        actor: DEV,
        verb: 'patch',
        resource: 'deployments',
        group: 'apps',
        namespace: 'default',
        name: 'reports',
        body: [{ op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'loot', nfs: { server: '10.0.8.20', path: '/exports/finance' } } }],
      },
    ],
  });
  return out;
}

export function ads0001Benign(): Spec[] {
  return [
    {
      id: 'postgres-statefulset-pvc',
      family: 'k8s-ordinary',
      description: 'PostgreSQL as a StatefulSet whose data lives on a volumeClaimTemplate (a reviewed PersistentVolumeClaim).',
      requests: (() => {
        const pg = {
          spec: {
            securityContext: { fsGroup: 999 },
            containers: [
              {
                name: 'postgres',
                image: 'docker.io/library/postgres:16.3',
                env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
              },
            ],
          },
        };
        const req = createWorkload(HELM, 'StatefulSet', 'postgres', 'db', pg);
        ((req.body as Obj).spec as Obj).volumeClaimTemplates = [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } },
        ];
        return [req];
      })(),
    },
    {
      id: 'cms-media-pvc',
      family: 'k8s-ordinary',
      description: 'A WordPress Deployment whose media directory is an NFS-backed PersistentVolumeClaim an administrator provisioned.',
      requests: [
        createWorkload(CI, 'Deployment', 'wordpress', 'cms', {
          spec: {
            containers: [
              {
                name: 'wordpress',
                image: 'docker.io/library/wordpress:6.5-apache',
                volumeMounts: [{ name: 'media', mountPath: '/var/www/html/wp-content/uploads' }],
              },
            ],
            volumes: [{ name: 'media', persistentVolumeClaim: { claimName: 'wp-media' } }],
          },
        }),
      ],
    },
    {
      id: 'nfs-persistentvolume-by-admin',
      family: 'k8s-ordinary',
      description: 'A storage administrator creates an NFS PersistentVolume and a claim bound to it (the reviewed path).',
      requests: [
        {
          actor: ADMIN,
          verb: 'create',
          resource: 'persistentvolumes',
          name: 'wp-media',
          body: {
            kind: 'PersistentVolume',
            apiVersion: 'v1',
            metadata: { name: 'wp-media' },
            spec: {
              capacity: { storage: '100Gi' },
              accessModes: ['ReadWriteMany'],
              nfs: { server: 'files.corp.example', path: '/exports/wp-media' },
              persistentVolumeReclaimPolicy: 'Retain',
            },
          },
        },
        {
          actor: ADMIN,
          verb: 'create',
          resource: 'persistentvolumeclaims',
          namespace: 'cms',
          name: 'wp-media',
          body: {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            metadata: { name: 'wp-media', namespace: 'cms' },
            spec: { accessModes: ['ReadWriteMany'], volumeName: 'wp-media', resources: { requests: { storage: '100Gi' } } },
          },
        },
      ],
    },
    {
      id: 'backup-cronjob-pvc',
      family: 'k8s-ordinary',
      description: 'A nightly pg_dump CronJob writing to its own PersistentVolumeClaim, with projected service account token and secret volumes.',
      requests: [
        createWorkload(CI, 'CronJob', 'pg-backup', 'db', {
          spec: {
            containers: [
              {
                name: 'dump',
                image: 'docker.io/library/postgres:16.3',
                command: ['sh', '-c', 'pg_dump -h postgres -U app app | gzip > /backup/app-$(date +%F).sql.gz'],
                volumeMounts: [
                  { name: 'backup', mountPath: '/backup' },
                  { name: 'creds', mountPath: '/creds', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'backup', persistentVolumeClaim: { claimName: 'pg-backup' } },
              {
                name: 'creds',
                projected: { sources: [{ secret: { name: 'pg-creds' } }, { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] },
              },
            ],
          },
        }),
      ],
    },
  ];
}
