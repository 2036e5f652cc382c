// One scenario's surroundings while it runs: its environment, work directory, fixtures on the
// run network, and its steps run in order until one fails.
import { needsRunNetwork, type EmulationScenario, type EmulationStep } from './format.js';
import { runStep, type StepResult } from './exec.js';
import { startHttpsTarget, startListener, type HttpsTarget, type Listener } from './fixtures.js';
import type { RunNetwork } from './network.js';
import type { LoadedEmulation } from './load.js';

export interface ScenarioContext {
  strategy: LoadedEmulation;
  scenario: EmulationScenario;
  mark: string;
  work: string;
  env: Record<string, string>;
  https?: HttpsTarget;
  listener?: Listener;
  /** The run's bridge network, or why there is none. */
  network: RunNetwork | { error: string } | undefined;
}

export function scaled(step: EmulationStep, scale: number): EmulationStep {
  return { ...step, timeout_s: Math.max(1, Math.round(step.timeout_s * scale)) };
}

export async function runSteps(steps: EmulationStep[], ctx: ScenarioContext, scale: number): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const s of steps) {
    const r = await runStep(scaled(s, scale), ctx.env, ctx.work);
    out.push(r);
    if (!r.ok) break;
  }
  return out;
}

export async function openFixtures(ctx: ScenarioContext): Promise<void> {
  if (!needsRunNetwork(ctx.scenario)) return;
  const net = ctx.network;
  if (!net || 'error' in net) throw new Error(`the run network is unavailable: ${net?.error ?? 'not created'}`);
  Object.assign(ctx.env, { NETWORK: net.name, GATEWAY: net.gateway });
  if (ctx.scenario.needs.includes('https')) {
    ctx.https = await startHttpsTarget(ctx.work, net.gateway);
    Object.assign(ctx.env, { HTTPS_URL: ctx.https.url, HTTPS_HOST: ctx.https.host, HTTPS_PORT: String(ctx.https.port), HTTPS_CERT: ctx.https.certFile });
  }
  if (ctx.scenario.needs.includes('listener')) {
    ctx.listener = await startListener(net.gateway);
    Object.assign(ctx.env, { LISTEN_HOST: ctx.listener.host, LISTEN_PORT: String(ctx.listener.port) });
  }
}

export async function closeFixtures(ctx: ScenarioContext): Promise<string[]> {
  const evidence: string[] = [];
  if (ctx.https) {
    const ups = ctx.https.uploads;
    evidence.push(`https target received ${ups.length} upload(s)${ups.length ? ` (${ups.map((u) => `${u.method} ${u.bytes}B`).join(', ')})` : ''}`);
    await ctx.https.close();
  }
  if (ctx.listener) {
    evidence.push(`listener ${ctx.listener.connected() ? 'got a reverse-shell connection' : 'saw no connection'}`);
    await ctx.listener.close();
  }
  return evidence;
}

export function quietSet(ctx: ScenarioContext): string[] {
  return ctx.scenario.quiet.length > 0 ? ctx.scenario.quiet : ctx.strategy.rules;
}
