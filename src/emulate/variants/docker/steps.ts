// How a Docker variant is written (one container's `docker run`/`create`, or a raw Engine API
// create) and how it becomes a variant with its live steps.
import type { EmulationStep } from '../../live/format.js';
import type { Variant } from '../types.js';

/** Rule ids the variants expect (any-of per variant). */
export const RULES = {
  privileged: '5af7ce7b-b27f-4e02-8dd8-9a91d75d910f',
  hostNamespaces: '4dc83c12-1543-404e-a7cc-dcd381819c38',
  capabilities: 'f35e6e6d-d702-417b-9584-9ec098caceab',
  sensitiveMount: '76a2a2e9-0f3e-43e7-a6ca-b430c850375b',
  securityOpt: '0230f14f-4281-484c-a4b5-dc0cec03f5b1',
  deviceAccess: '4a0a182e-39ec-4d4b-beed-a56e629ae493',
  logNone: 'b639f561-b3b2-41ea-a3c8-ee38511a66b3',
  logDiverted: '9e2f1d80-f227-4011-af81-dd7bc04dbf56',
  unapprovedRegistry: 'dbaf2a5b-5fd8-430f-be75-7efe5cc718a1',
  auditCapabilities: '37624561-37e4-4b76-9903-d9edb422a011',
  logMountWritable: '2696c07b-030b-45dc-8ef3-8accb14c2a94',
  shareVolume: '26621f18-10fe-4ee7-a45e-13a43e011e83',
  kvmDevice: 'ac0e33bf-5dc2-4c94-b04b-6001694572aa',
  rmHostData: 'd5f8e068-ed37-46ce-a516-cd9ae7fc0dc2',
} as const;

export const host = (run: string, extra: Partial<EmulationStep> = {}): EmulationStep => ({ run, where: 'host', timeout_s: 30, allow_failure: false, ...extra });

export interface Box {
  /** `run` starts it detached (a real workload); `create` only configures it. */
  verb: 'run' | 'create';
  args: string;
  /** Image reference; default the test image. A name given here is tagged from the test image for the run. */
  image?: string;
  /** Build the image on this host (FROM the test image, nothing added) instead of tagging it. */
  build?: boolean;
  network?: string;
  command?: string;
}

export function boxStep(b: Box): EmulationStep {
  const image = b.image ? `"${b.image}:$MARK"` : '"$IMAGE"';
  const net = b.network ?? 'none';
  return host(
    `docker ${b.verb}${b.verb === 'run' ? ' -d' : ''} $LABELS --name "$MARK" --network ${net} ${b.args} ${image} ${b.command ?? 'sleep 30'}`.replace(
      /\s+/g,
      ' ',
    ),
  );
}

export interface Spec {
  strategy: string;
  id: string;
  family: string;
  technique?: string;
  description: string;
  expect?: string[];
  box: Box;
  setup?: string[];
  cleanup?: string[];
}

/**
 * The Engine API called directly over the socket, no CLI: what an adversary who reached the socket
 * from inside a container does. `hostConfig` is the HostConfig JSON.
 */
export function apiCreate(hostConfig: string): EmulationStep {
  const body = `{"Image":"'"$IMAGE"'","Cmd":["sleep","30"],"Labels":{"stowaway.emulation":"1","stowaway.emulation.scenario":"'"$MARK"'"},"HostConfig":${hostConfig}}`;
  return host(
    `curl -sSf --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -X POST "http://localhost/containers/create?name=$MARK" -d '${body}' >/dev/null`,
  );
}

export function apiVariant(s: Omit<Spec, 'box'> & { hostConfig: string }): Variant {
  return {
    strategy: s.strategy,
    id: s.id,
    kind: 'positive',
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: s.expect ?? [],
    live: { steps: [apiCreate(s.hostConfig)] },
  };
}

export function variant(kind: 'positive' | 'benign', s: Spec): Variant {
  const make = s.box.build
    ? `printf 'FROM %s\\n' "$IMAGE" | DOCKER_BUILDKIT=0 docker build -q $LABELS -t "${s.box.image}:$MARK" - >/dev/null`
    : `docker tag "$IMAGE" "${s.box.image}:$MARK"`;
  const setup = [...(s.box.image ? [make] : []), ...(s.setup ?? [])].map((r) => host(r));
  const cleanup = [...(s.cleanup ?? []), ...(s.box.image ? [`docker rmi "${s.box.image}:$MARK" >/dev/null 2>&1 || true`] : [])].map((r) =>
    host(r, { allow_failure: true }),
  );
  return {
    strategy: s.strategy,
    id: s.id,
    kind,
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: kind === 'positive' ? (s.expect ?? []) : [],
    live: { ...(setup.length ? { setup } : {}), steps: [boxStep(s.box)], ...(cleanup.length ? { cleanup } : {}) },
  };
}

export const pos = (s: Spec): Variant => variant('positive', s);
export const ben = (s: Spec): Variant => variant('benign', s);
