// Docker create-time configuration: every spelling of the isolation-breaking, monitoring-blinding,
// share-mounting and VM-enabling settings the strategies claim, and the documented deployments of
// ordinary software that look like them. Each variant runs for real (`docker run`/`create` against
// the local engine) and its recorded telemetry is the replay scenario.
//
// A variant creates its containers as "$MARK" with $LABELS, so the live runner attributes and
// sweeps them. `create` is used where starting the container would touch the host (a bind source
// `-v` would create, a share it would try to mount) or cannot work here (no such driver); the
// create event and its inspect document are what the rules read either way.
//
// One module per strategy under docker/; this file puts them in order.
import { ads0001 } from './docker/shares.js';
import { ads0002 } from './docker/blinding.js';
import { ads0003 } from './docker/escape.js';
import { ads0004 } from './docker/kvm.js';
import { ads0005 } from './docker/auto-remove.js';
import type { Variant } from './types.js';

export { RULES } from './docker/steps.js';

export const generate = (): Variant[] => [...ads0001(), ...ads0002(), ...ads0003(), ...ads0004(), ...ads0005()];
