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
//
// One module per strategy under process/; this file puts them in order.
import type { VariantGenerator } from './types.js';
import { reverseShells } from './process/reverse-shells.js';
import { exfiltration } from './process/exfiltration.js';
import { shareCopies } from './process/share-copies.js';
import { tampering } from './process/tampering.js';
import { virtualMachines } from './process/virtual-machines.js';

export { RULES, shq } from './process/steps.js';

export const generate: VariantGenerator = () => [...reverseShells(), ...exfiltration(), ...shareCopies(), ...tampering(), ...virtualMachines()];
