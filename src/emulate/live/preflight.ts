// Whether this host can run live validation (root, audit, Docker, the test image, the tools the
// selected scenarios call), said as reasons, not a crash halfway through.
import type Docker from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { EmulationScenario } from './format.js';

export const EMULATION_IMAGE = 'stowaway/busybox:test';

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

function auditdAlive(pid: string): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return /^Name:\s*auditd$/m.test(status) && !/^State:\s*[ZX]/m.test(status);
  } catch {
    return false;
  }
}

/** The reasons this host cannot run live validation; empty when it can. */
export async function preflight(docker: Docker, needs: { tools?: string[] } = {}): Promise<string[]> {
  const problems: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    problems.push('live validation needs root: it loads audit rules with auditctl and reads /var/log/audit/audit.log');
  if (!onPath('auditctl')) problems.push('auditctl not found (install auditd; bash scripts/test-env.sh does)');
  else {
    // Rules load fine into a kernel whose audit daemon is not running, and then nothing is logged.
    const st = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
    const out = st.stdout ?? '';
    if (st.status !== 0) problems.push(`auditctl -s failed: ${(st.stderr ?? '').trim() || `exit ${st.status}`}`);
    else if (!/^enabled [12]/m.test(out)) problems.push('kernel audit is disabled (auditctl -e 1)');
    else {
      // A killed auditd stays registered until the kernel next fails to send to it.
      const pid = /^pid (\d+)$/m.exec(out)?.[1] ?? '0';
      if (pid === '0' || !auditdAlive(pid)) problems.push('auditd is not running (bash scripts/test-env.sh starts it)');
    }
  }
  for (const t of needs.tools ?? []) if (!onPath(t)) problems.push(`${t} not found; the selected scenarios call it (bash scripts/test-env.sh installs it)`);
  try {
    await docker.ping();
  } catch (e) {
    problems.push(`Docker engine not reachable (${e instanceof Error ? e.message : String(e)}); start dockerd (bash scripts/test-env.sh)`);
    return problems;
  }
  try {
    await docker.getImage(EMULATION_IMAGE).inspect();
  } catch {
    problems.push(`image ${EMULATION_IMAGE} missing; bash scripts/test-env.sh imports it`);
  }
  return problems;
}

/** Host tools a set of scenarios calls, by the fixtures they need and the commands they run. */
export function toolsFor(scenarios: EmulationScenario[]): string[] {
  const tools = new Set<string>(['docker', 'bash']);
  for (const s of scenarios) {
    if (s.needs.includes('listener')) tools.add('ncat');
    if (s.needs.includes('https')) tools.add('openssl');
    const text = [...s.setup, ...s.steps].map((x) => x.run).join('\n');
    for (const t of ['qemu-system-x86_64', 'curl', 'timeout']) if (text.includes(t)) tools.add(t);
  }
  return [...tools].sort();
}
