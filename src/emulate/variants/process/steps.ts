// The live steps a process variant is written with (on the host, in a long-lived container through
// `docker exec`, as the container's own command) and how a spec becomes a variant.
import type { EmulationStep, Fixture } from '../../live/format.js';
import type { Variant } from '../types.js';

/** Rule ids the positive variants expect (any-of: the first is the one that must fire live). */
export const RULES = {
  reverseShell: 'e60950cb-37fa-4f00-ae84-5c8a38cda4b2',
  reverseShellExec: 'a3443d70-3180-48e3-a21d-e3ac84f84510',
  shellNoTty: '0f3b6a52-7c1e-4d8a-9b27-5e4c3d2a1f60',
  encryptUploadProc: '6cb8fc0d-b64b-436a-b40d-93b1ef541106',
  encryptUploadExec: '09c35da8-be3a-43b6-8e45-78f2d46fee65',
  copyShareExec: '2bc22cfd-b09b-4510-87ec-ea3b5d942fee',
  copyShareProc: '5b1d7e3a-2c4f-4a8b-9e61-3f0a7c5d2b18',
  mountShareProc: '8e2c4f61-0b3a-4d7e-a5c9-6f1e2d3b4a57',
  mountShareExec: '4d42bcf9-ccfd-4be2-8157-901357bf51c5',
  auditctl: '426db328-ab4e-4fee-96e3-089b6846a5c4',
  stopSensor: 'e73cfc7b-522c-4588-ae67-e7547f026e1d',
  auditConfig: 'b20b18a9-0458-4998-9dd7-a142d541b378',
  auditLogTamper: '3c9e7a14-5d2b-4f06-8a1e-9b4d6c2f7e05',
  qemuHeadless: '6d9080e1-55f9-460a-9698-d70c335564b5',
  vboxLinux: '3a24c9e0-d3bc-4e11-9e55-16c04d3e5d37',
  hypervisorCli: '7d4a2e90-3f1b-4c6d-8e5a-1b9c0f2d6a83',
  hypervProcess: '9f7fe58c-1001-421b-bc66-714e881feea2',
  hypervScript: 'fdb9927d-1dbe-44b7-8156-cbdbb88e9761',
  vboxWindows: '624befab-f4da-4c1d-a5a5-62160a89c14d',
} as const;

const HOSTBIN = '-v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro';

export function step(run: string, where: 'host' | 'container' = 'host', extra: Partial<EmulationStep> = {}): EmulationStep {
  return { run, where, timeout_s: 30, allow_failure: false, ...extra };
}

/** A step whose tool may exit non-zero (no server, stand-in arguments): its start is the point. */
export function tryStep(run: string, where: 'host' | 'container' = 'host'): EmulationStep {
  return step(run, where, { allow_failure: true, timeout_s: 15 });
}

/** A long-lived container with the host's tools mounted, for `docker exec` variants. */
export function container(opts: { network?: boolean; mounts?: string; labels?: string } = {}): EmulationStep {
  const net = opts.network ? '--network "$NETWORK"' : '--network none';
  return step(`docker run -d $LABELS ${opts.labels ?? ''} --name "$MARK" ${net} ${HOSTBIN} ${opts.mounts ?? ''} "$IMAGE" sleep 120`);
}

/**
 * The container's own command: busybox `/bin/sh -c SCRIPT arg0 arg1 ...` (positional args carry host
 * values). The path matters: with the host's /usr mounted, a bare `sh` would be the host's dash.
 */
export function entrypoint(script: string, opts: { network?: boolean; mounts?: string; args?: string; labels?: string } = {}): EmulationStep {
  const net = opts.network ? '--network "$NETWORK"' : '--network none';
  return step(
    `docker run --rm $LABELS ${opts.labels ?? ''} --name "$MARK" ${net} ${HOSTBIN} ${opts.mounts ?? ''} "$IMAGE" /bin/sh -c ${shq(script)} ${opts.args ?? ''}`,
    'container',
    { allow_failure: true, timeout_s: 30 },
  );
}

export function exec(cmd: string): EmulationStep {
  return step(`docker exec "$MARK" ${cmd}`, 'container', { allow_failure: true, timeout_s: 15 });
}

/** Single-quotes a string for bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const standin = (name: string): EmulationStep => step(`bash "$SCRIPTS/standin.sh" ${name} "$WORK/bin" >/dev/null`);

export interface Spec {
  id: string;
  kind: 'positive' | 'benign';
  family: string;
  technique?: string;
  description: string;
  expect?: string[];
  needs?: Fixture[];
  setup?: EmulationStep[];
  steps?: EmulationStep[];
  cleanup?: EmulationStep[];
  events?: Variant['events'];
}

export function variants(strategy: string, specs: Spec[]): Variant[] {
  return specs.map((s) => ({
    strategy,
    id: `proc-${s.id}`,
    kind: s.kind,
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: s.kind === 'positive' ? (s.expect ?? []) : [],
    ...(s.steps
      ? {
          live: {
            ...(s.needs ? { needs: s.needs } : {}),
            ...(s.setup ? { setup: s.setup } : {}),
            steps: s.steps,
            ...(s.cleanup ? { cleanup: s.cleanup } : {}),
          },
        }
      : {}),
    ...(s.events ? { events: s.events } : {}),
  }));
}
