// Deterministic input files, one per source format, in the wire format each source reads
// (not the normalized model): Docker events JSON, audit.log records, Kubernetes audit JSONL.
// Same seed, same bytes.
import { hex, IMAGES, pick, prng, RESOURCES, USERS, VERBS } from './events.mjs';

const T0 = Date.UTC(2026, 2, 4, 5, 0, 0);

const EXECS = ['sh -c date', 'cat /etc/hostname', 'ps aux', 'ls -la /data', 'mount -t nfs 10.0.0.9:/share /mnt', 'cp -r /data /mnt/share'];

/** `docker events --format '{{json .}}'` lines: container lifecycles and execs. */
export function dockerEventLines(n, seed = 11) {
  const r = prng(seed);
  const out = [];
  const live = [];
  for (let i = 0; out.length < n; i++) {
    const ns = BigInt(T0 + i * 41) * 1000000n + BigInt(Math.floor(r() * 1e6));
    let id, image, name, action;
    if (live.length < 4 || r() < 0.2) {
      id = hex(r, 64);
      image = pick(r, IMAGES);
      name = `app-${id.slice(0, 6)}`;
      live.push([id, image, name]);
      action = 'start';
    } else {
      [id, image, name] = pick(r, live);
      action = r() < 0.8 ? `exec_start: ${pick(r, EXECS)}` : 'die';
      if (action === 'die')
        live.splice(
          live.findIndex((c) => c[0] === id),
          1,
        );
    }
    const attrs = { image, name, 'com.docker.compose.project': 'shop' };
    if (action.startsWith('exec')) attrs.execID = hex(r, 64);
    if (action === 'die') attrs.exitCode = '0';
    out.push(
      JSON.stringify({
        status: action,
        id,
        from: image,
        Type: 'container',
        Action: action,
        Actor: { ID: id, Attributes: attrs },
        scope: 'local',
        time: Number(ns / 1000000000n),
        timeNano: Number(ns),
      }),
    );
  }
  return out;
}

const CMDS = [
  ['/usr/bin/date', ['date', '+%s']],
  ['/usr/bin/ls', ['ls', '-la', '/var/log']],
  ['/usr/bin/cat', ['cat', '/etc/hostname']],
  ['/usr/bin/curl', ['curl', '-s', 'http://localhost:8080/healthz']],
  ['/usr/bin/bash', ['bash', '-c', 'echo ok']],
  ['/usr/bin/auditctl', ['auditctl', '-D']],
  ['/usr/bin/mount', ['mount', '-t', 'cifs', '//10.0.0.9/share', '/mnt']],
];

/** audit.log: one execve event (SYSCALL, EXECVE, CWD, PATH, PROCTITLE, EOE) per `n`. */
export function auditLines(n, seed = 12) {
  const r = prng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = ((T0 + i * 23) / 1000).toFixed(3);
    const id = `${t}:${1000 + i}`;
    const [exe, args] = pick(r, CMDS);
    const pid = 1000 + Math.floor(r() * 60000);
    const uid = r() < 0.5 ? 0 : 1000;
    out.push(
      `type=SYSCALL msg=audit(${id}): arch=c000003e syscall=59 success=yes exit=0 a0=55f992a958c0 a1=55f992a8b960 a2=55f992a932e0 a3=8 items=2 ppid=${pid - 3} pid=${pid} auid=${uid} uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid} tty=(none) ses=${r() < 0.5 ? 4294967295 : 3} comm="${args[0]}" exe="${exe}" key="exec"`,
      `type=EXECVE msg=audit(${id}): argc=${args.length} ${args.map((a, k) => `a${k}="${a}"`).join(' ')}`,
      `type=CWD msg=audit(${id}): cwd="/srv/app"`,
      `type=PATH msg=audit(${id}): item=0 name="${exe}" inode=260181 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
      `type=PROCTITLE msg=audit(${id}): proctitle=${Buffer.from(args.join('\0')).toString('hex').toUpperCase()}`,
      `type=EOE msg=audit(${id}): `,
    );
  }
  return out;
}

/** Kubernetes audit JSONL (audit.k8s.io/v1 Event per line); a few pod creations carry a spec. */
export function k8sAuditLines(n, seed = 13) {
  const r = prng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const verb = pick(r, VERBS);
    const res = pick(r, RESOURCES);
    const ns = pick(r, ['default', 'kube-system', 'prod', 'ci', 'monitoring']);
    const name = `${res.slice(0, -1)}-${hex(r, 5)}`;
    const ts = new Date(T0 + i * 29).toISOString().replace('Z', '123Z');
    const ev = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: res === 'pods' && verb === 'create' ? 'RequestResponse' : 'Metadata',
      auditID: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
      stage: 'ResponseComplete',
      requestURI: `/api/v1/namespaces/${ns}/${res}/${name}`,
      verb,
      user: { username: pick(r, USERS), groups: ['system:authenticated'] },
      sourceIPs: [`10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 250)}`],
      userAgent: pick(r, ['kubectl/v1.30.2', 'kube-scheduler/v1.30.2', 'kubelet/v1.30.2']),
      objectRef: { resource: res, namespace: ns, name, apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: ts,
      stageTimestamp: ts,
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    };
    if (ev.level === 'RequestResponse')
      ev.requestObject = {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name, namespace: ns },
        spec: {
          hostNetwork: r() < 0.1,
          containers: [{ name: 'app', image: pick(r, IMAGES), securityContext: { privileged: r() < 0.1 } }],
          volumes: r() < 0.1 ? [{ name: 'host', hostPath: { path: '/' } }] : [],
        },
      };
    out.push(JSON.stringify(ev));
  }
  return out;
}
