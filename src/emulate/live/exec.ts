// Performs one emulation step for real: a bash command on this host, with the
// scenario's variables in its environment (so the shell, not us, does quoting).
// A step that hangs is killed with its whole process group at its timeout.
import { spawn } from 'node:child_process';
import type { EmulationStep } from './format.js';

export interface StepResult {
  command: string;
  where: EmulationStep['where'];
  code: number | null;
  signal: string | null;
  timed_out: boolean;
  ok: boolean;
  /** Wall-clock ms (Date.now()) when the step was spawned and when it ended. */
  started_ms: number;
  ended_ms: number;
  /** Last bytes of stdout+stderr, for the report when a step fails. */
  output: string;
}

const OUTPUT_TAIL = 2000;

export function runStep(step: EmulationStep, env: Record<string, string>, cwd: string): Promise<StepResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    let out = '';
    const keep = (b: Buffer): void => {
      out = (out + b.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    const child = spawn('bash', ['-c', step.run], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills what the step started too
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, step.timeout_s * 1000);
    const finish = (code: number | null, signal: string | null, extra = ''): void => {
      clearTimeout(timer);
      const ok = !timedOut && (code === 0 || step.allow_failure);
      resolve({
        command: step.run,
        where: step.where,
        code,
        signal,
        timed_out: timedOut,
        ok,
        started_ms: started,
        ended_ms: Date.now(),
        output: (out + extra).trim(),
      });
    };
    child.on('error', (err) => finish(null, null, `\n${err.message}`));
    child.on('close', (code, signal) => finish(code, signal));
  });
}
