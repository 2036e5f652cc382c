// ADS-0003: workloads that turn off the container isolation profiles.
import { DEV } from './audit.js';
import { type PodShape, createWorkload, ALPINE, sleeper, one } from './workload.js';
import { R, type Spec } from './spec.js';

const T = 'T1611';

/** Isolation profiles given up (seccomp, AppArmor, SELinux, procMount), and Windows HostProcess. */
export function isolationProfiles(): Spec[] {
  const out: Spec[] = [];
  const iso: Array<[string, string, PodShape]> = [
    ['seccomp-unconfined-pod', 'seccompProfile Unconfined at pod level', one({}, { securityContext: { seccompProfile: { type: 'Unconfined' } } })],
    [
      'seccomp-unconfined-annotation',
      'the legacy seccomp pod annotation set to unconfined',
      { spec: { containers: [sleeper()] }, annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } },
    ],
    [
      'apparmor-unconfined-annotation',
      'the AppArmor container annotation set to unconfined',
      { spec: { containers: [sleeper()] }, annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } },
    ],
    ['apparmor-unconfined-field', 'appArmorProfile Unconfined on the container', one({ securityContext: { appArmorProfile: { type: 'Unconfined' } } })],
    ['procmount-unmasked', 'procMount Unmasked (the host /proc paths unmasked)', one({ securityContext: { procMount: 'Unmasked' } }, { hostUsers: false })],
    [
      'allow-priv-escalation',
      'allowPrivilegeEscalation true on an init container',
      {
        spec: {
          initContainers: [{ name: 'init', image: ALPINE, command: ['true'], securityContext: { allowPrivilegeEscalation: true } }],
          containers: [sleeper()],
        },
      },
    ],
    ['selinux-spc', 'the SELinux type spc_t (super-privileged container)', one({ securityContext: { seLinuxOptions: { type: 'spc_t' } } })],
  ];
  for (const [id, what, pod] of iso) {
    out.push({
      id,
      family: 'k8s-isolation',
      technique: T,
      description: `A Deployment sets ${what}.`,
      expect: [R.isolation],
      requests: [createWorkload(DEV, 'Deployment', id, 'default', pod)],
    });
  }
  out.push({
    id: 'windows-hostprocess',
    family: 'k8s-isolation',
    technique: T,
    description: 'A Windows HostProcess pod (runs on the node, the Windows spelling of privileged).',
    expect: [R.privileged],
    requests: [
      createWorkload(DEV, 'Pod', 'win-hostproc', 'default', {
        spec: {
          hostNetwork: true,
          securityContext: { windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' } },
          nodeSelector: { 'kubernetes.io/os': 'windows' },
          containers: [{ name: 'w', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022', command: ['cmd', '/c', 'ping -t localhost'] }],
        },
      }),
    ],
  });
  return out;
}
