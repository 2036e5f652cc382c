// ADS-0004: virtual machines in the cluster (KVM requested or mounted, KubeVirt objects).
import { type Request, DEV, ADMIN, CI, serviceAccount } from './audit.js';
import { workload, createWorkload, one, hostPathPod } from './workload.js';
import { R, type Spec } from './spec.js';

export function ads0004Positive(): Spec[] {
  const T = 'T1564.006';
  const vm = (resource: string, kind: string, name: string): Request => ({
    actor: DEV,
    verb: 'create',
    resource,
    group: 'kubevirt.io',
    namespace: 'default',
    name,
    body: {
      apiVersion: 'kubevirt.io/v1',
      kind,
      metadata: { name, namespace: 'default' },
      spec:
        kind === 'VirtualMachine'
          ? {
              runStrategy: 'Always',
              template: {
                spec: {
                  domain: { devices: {}, resources: { requests: { memory: '1Gi' } } },
                  volumes: [{ name: 'disk0', containerDisk: { image: 'quay.io/containerdisks/ubuntu:22.04' } }],
                },
              },
            }
          : {
              domain: { devices: {}, resources: { requests: { memory: '1Gi' } } },
              volumes: [{ name: 'disk0', containerDisk: { image: 'quay.io/containerdisks/ubuntu:22.04' } }],
            },
    },
  });
  return [
    {
      id: 'kvm-resource-pod',
      family: 'k8s-kvm',
      technique: T,
      description: 'A pod requests the devices.kubevirt.io/kvm resource and runs its own qemu.',
      expect: [R.kvm],
      requests: [
        createWorkload(
          DEV,
          'Pod',
          'builder',
          'default',
          one({
            command: ['qemu-system-x86_64', '-enable-kvm', '-nographic', '-m', '1024', '-hda', '/data/vm.qcow2'],
            resources: { limits: { 'devices.kubevirt.io/kvm': '1' } },
          }),
        ),
      ],
    },
    {
      id: 'kvm-hostpath-deployment',
      family: 'k8s-kvm',
      technique: T,
      description: 'A Deployment mounts /dev/kvm from the node.',
      expect: [R.kvm],
      requests: [createWorkload(DEV, 'Deployment', 'renderer', 'default', hostPathPod('/dev/kvm'))],
    },
    {
      id: 'kvm-hostpath-dev-slash-job',
      family: 'k8s-kvm',
      technique: T,
      description: 'A Job mounts the whole /dev/ (with a trailing slash), KVM included.',
      expect: [R.kvm],
      requests: [createWorkload(DEV, 'Job', 'convert', 'default', hostPathPod('/dev/'))],
    },
    {
      id: 'kubevirt-vm-created',
      family: 'k8s-kubevirt',
      technique: T,
      description: 'A developer creates a KubeVirt VirtualMachine.',
      expect: [R.kvm],
      requests: [vm('virtualmachines', 'VirtualMachine', 'ubuntu-dev')],
    },
    {
      id: 'kubevirt-vmi-created',
      family: 'k8s-kubevirt',
      technique: T,
      description: 'A developer creates a VirtualMachineInstance directly.',
      expect: [R.kvm],
      requests: [vm('virtualmachineinstances', 'VirtualMachineInstance', 'quick-vm')],
    },
  ];
}

export function ads0004Benign(): Spec[] {
  return [
    {
      id: 'gpu-training-job',
      family: 'k8s-ordinary',
      description: 'A machine-learning training Job asking for one NVIDIA GPU.',
      requests: [
        createWorkload(
          CI,
          'Job',
          'train-resnet',
          'ml',
          one({
            name: 'train',
            image: 'nvcr.io/nvidia/pytorch:24.05-py3',
            command: ['python', 'train.py'],
            resources: { limits: { 'nvidia.com/gpu': '1', cpu: '4', memory: '16Gi' } },
          }),
        ),
      ],
    },
    {
      id: 'nvidia-device-plugin',
      family: 'k8s-node-agent',
      description: "NVIDIA's device plugin DaemonSet in kube-system, registering with the kubelet's device-plugins directory (allowlisted image).",
      requests: [
        createWorkload(ADMIN, 'DaemonSet', 'nvidia-device-plugin-daemonset', 'kube-system', {
          spec: {
            priorityClassName: 'system-node-critical',
            containers: [
              {
                name: 'nvidia-device-plugin-ctr',
                image: 'nvcr.io/nvidia/k8s-device-plugin:v0.15.0',
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' }],
              },
            ],
            volumes: [{ name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } }],
          },
        }),
      ],
    },
    {
      id: 'virt-launcher-by-controller',
      family: 'k8s-controller-pod',
      description: "KubeVirt's controller creates the virt-launcher pod of a VM an operator already created (requests KVM).",
      requests: [
        {
          actor: serviceAccount('kubevirt', 'kubevirt-controller', 'virt-controller/v1.2.2 (linux/amd64) kubernetes/$Format'),
          verb: 'create',
          resource: 'pods',
          namespace: 'vms',
          name: 'virt-launcher-build-agent-x7k2q',
          body: workload(
            'Pod',
            'virt-launcher-build-agent-x7k2q',
            'vms',
            one({
              name: 'compute',
              image: 'quay.io/kubevirt/virt-launcher:v1.2.2',
              command: ['/usr/bin/virt-launcher-monitor'],
              resources: { limits: { 'devices.kubevirt.io/kvm': '1', 'devices.kubevirt.io/tun': '1', 'devices.kubevirt.io/vhost-net': '1' } },
            }),
          ),
        },
      ],
    },
    {
      id: 'qemu-img-convert-job',
      family: 'k8s-ordinary',
      description: 'A Job converts a disk image with qemu-img into a PersistentVolumeClaim (no KVM, no VM started).',
      requests: [
        createWorkload(
          CI,
          'Job',
          'convert-disk',
          'images',
          one(
            {
              name: 'convert',
              image: 'quay.io/kubevirt/cdi-importer:v1.59.0',
              command: ['qemu-img', 'convert', '-O', 'raw', '/src/disk.qcow2', '/dst/disk.img'],
              volumeMounts: [{ name: 'dst', mountPath: '/dst' }],
            },
            { volumes: [{ name: 'dst', persistentVolumeClaim: { claimName: 'disk' } }] },
          ),
        ),
      ],
    },
  ];
}
