// ADS-0004: the KVM device given to a container, and ordinary device access.
import type { Variant } from '../types.js';
import { RULES, type Box, pos, ben } from './steps.js';

export function ads0004(): Variant[] {
  const S = 'ADS-0004';
  const T = 'T1564.006';
  // No /dev/kvm here: a node with the KVM numbers made in the work directory is the same device to the kernel.
  const kvmNode = ['mknod "$WORK/kvm" c 10 232'];
  const p = (id: string, description: string, box: Box): Variant =>
    pos({ strategy: S, id, family: 'kvm-device', technique: T, description, expect: [RULES.kvmDevice], box, setup: kvmNode });
  const out: Variant[] = [
    p('cfg-kvm-node-renamed', 'A KVM device node from elsewhere passed in as /dev/kvm.', { verb: 'create', args: '--device "$WORK/kvm:/dev/kvm"' }),
    p('cfg-kvm-device-perms', 'The same with explicit cgroup permissions (rw).', { verb: 'create', args: '--device "$WORK/kvm:/dev/kvm:rw"' }),
    pos({
      strategy: S,
      id: 'cfg-kvm-cgroup-mknod',
      family: 'device-cgroup',
      technique: T,
      description: 'No --device: a cgroup rule allows the KVM device and the container makes /dev/kvm itself.',
      expect: [RULES.kvmDevice],
      box: { verb: 'run', args: "--device-cgroup-rule 'c 10:232 rwm'", command: "sh -c 'mknod /dev/kvm c 10 232 && sleep 30'" },
    }),
    p('cfg-kvm-bind-cgroup', 'The node bind-mounted onto /dev/kvm with a cgroup rule for major 10.', {
      verb: 'create',
      args: `-v "$WORK/kvm:/dev/kvm" --device-cgroup-rule 'c 10:* rwm'`,
    }),
  ];
  const b = (id: string, description: string, box: Box): Variant => ben({ strategy: S, id, family: 'benign-device', description, box });
  out.push(
    b('cfg-fuse-device', 'rclone or sshfs in a container: /dev/fuse.', { verb: 'run', args: '--device /dev/fuse' }),
    b('cfg-usb-serial-rule', 'Home Assistant with a USB serial stick: a cgroup rule for ttyUSB (major 188).', {
      verb: 'run',
      args: "--device-cgroup-rule 'c 188:* rmw'",
    }),
    b('cfg-tun-device', 'A userspace VPN client given /dev/net/tun.', { verb: 'run', args: '--device /dev/net/tun' }),
    b('cfg-tun-cgroup-rule', 'A VPN client allowed the tun device (10:200) by a cgroup rule, as WireGuard/OpenVPN images document.', {
      verb: 'run',
      args: "--device-cgroup-rule 'c 10:200 rwm'",
    }),
  );
  return out;
}
