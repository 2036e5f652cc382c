// One Docker stats sample (GET /containers/{id}/stats?stream=false) into a metric event.
import type { ContainerInfo, StowawayEvent } from '../../model/event.js';
import { compact, isObj, num, toIso, type Obj } from '../util.js';

export const DOCKER_STATS_LOGSOURCE = { product: 'docker', category: 'container_stats', service: 'stats' } as const;

export function normalizeDockerStats(s: Obj, container: ContainerInfo, origin: string): StowawayEvent | undefined {
  const ts = toIso(s.read);
  if (!ts || ts.startsWith('0001-')) return undefined;
  const cpu: Obj = isObj(s.cpu_stats) ? s.cpu_stats : {};
  const pre: Obj = isObj(s.precpu_stats) ? s.precpu_stats : {};
  const total = (x: Obj) => num(isObj(x.cpu_usage) ? x.cpu_usage.total_usage : undefined);
  const cpuDelta = (total(cpu) ?? 0) - (total(pre) ?? 0);
  const sysDelta = (num(cpu.system_cpu_usage) ?? 0) - (num(pre.system_cpu_usage) ?? 0);
  const perCpu = isObj(cpu.cpu_usage) && Array.isArray(cpu.cpu_usage.percpu_usage) ? cpu.cpu_usage.percpu_usage.length : undefined;
  const online = num(cpu.online_cpus) ?? perCpu ?? 1;
  const cpuUsage = sysDelta > 0 && cpuDelta >= 0 && total(pre) !== undefined ? (cpuDelta / sysDelta) * online : undefined;
  const mem: Obj = isObj(s.memory_stats) ? s.memory_stats : {};
  const mstats: Obj = isObj(mem.stats) ? mem.stats : {};
  // page cache is reclaimable: docker CLI subtracts it (cgroup v1 `cache`, v2 `inactive_file`)
  const used =
    num(mem.usage) !== undefined ? num(mem.usage)! - (num(mstats.inactive_file) ?? num(mstats.total_inactive_file) ?? num(mstats.cache) ?? 0) : undefined;
  const limit = num(mem.limit);
  let rx: number | undefined;
  let tx: number | undefined;
  if (isObj(s.networks)) {
    rx = 0;
    tx = 0;
    for (const n of Object.values(s.networks)) {
      if (!isObj(n)) continue;
      rx += num(n.rx_bytes) ?? 0;
      tx += num(n.tx_bytes) ?? 0;
    }
  }
  const ev: StowawayEvent = {
    '@timestamp': ts,
    event: { kind: 'metric', module: 'docker', dataset: 'docker.stats', action: 'container-stats', category: ['host'], type: ['info'] },
    stowaway: { source: 'docker', logsource: { ...DOCKER_STATS_LOGSOURCE }, origin },
    container: {
      ...container,
      cpu: { usage: cpuUsage !== undefined ? Math.round(cpuUsage * 10000) / 10000 : undefined },
      memory: { bytes: used, usage: used !== undefined && limit ? Math.round((used / limit) * 10000) / 10000 : undefined },
      network: { ingress: { bytes: rx }, egress: { bytes: tx } },
    },
  };
  return compact(ev);
}
