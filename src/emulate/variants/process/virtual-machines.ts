// ADS-0004: virtual machines started from hypervisor command lines (Linux live, Windows as generated events).
import type { Variant } from '../types.js';
import { RULES, step, tryStep, entrypoint, standin, type Spec, variants } from './steps.js';

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
const hidden = 'New-VM -Name "svc" -MemoryStartupBytes 512MB -NoVHD\nSet-VMProcessor -VMName "svc" -ExposeVirtualizationExtensions $true\nStart-VM -Name "svc"';

/** qemu started headless in every spelling, and VirtualBox VMs made or imported. */
function qemuAndVirtualBox(): Spec[] {
  return [
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
  ];
}

/** VirtualBox, libvirt, firecracker and VMware from their command lines, and Hyper-V from PowerShell. */
function otherHypervisors(): Spec[] {
  return [
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
  ];
}

/** Ordinary use of the same tools: images, inventories, versions. */
function ordinaryVirtualization(): Spec[] {
  return [
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
  ];
}

export function virtualMachines(): Variant[] {
  return variants('ADS-0004', [...qemuAndVirtualBox(), ...otherHypervisors(), ...ordinaryVirtualization()]);
}
