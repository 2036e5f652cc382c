// Alert documents in the shapes other tools read: our own, Falco's JSON output
// (so falcosidekick can fan it out), and an ECS alert document.
import type { Alert, Level } from '../model/alert.js';
import type { AlertFormat } from './types.js';

const FALCO_PRIORITY: Record<Level, string> = {
  critical: 'Critical',
  high: 'Error',
  medium: 'Warning',
  low: 'Notice',
  informational: 'Informational',
};

/** Falco names its event sources; audit records are syscalls, Kubernetes audit is `k8s_audit`. */
function falcoSource(a: Alert): string {
  const src = a.events[0]?.stowaway?.source;
  if (src === 'auditd' || src === 'sysmon') return 'syscall';
  if (src === 'k8s-audit') return 'k8s_audit';
  return src ?? 'stowaway';
}

export function toFalco(a: Alert): Record<string, unknown> {
  const e = a.entity;
  const fields: Record<string, unknown> = {
    'evt.time.iso8601': a['@timestamp'],
    'stowaway.alert.id': a.id,
    'stowaway.rule.id': a.rule.id,
    'stowaway.count': a.count,
  };
  if (e.container?.id) fields['container.id'] = e.container.id.slice(0, 12);
  if (e.container?.name) fields['container.name'] = e.container.name;
  if (e.container?.image) {
    const [repo, tag] = splitImage(e.container.image);
    fields['container.image.repository'] = repo;
    if (tag) fields['container.image.tag'] = tag;
  }
  if (e.pod?.namespace) fields['k8s.ns.name'] = e.pod.namespace;
  if (e.pod?.name) fields['k8s.pod.name'] = e.pod.name;
  if (e.process?.command_line) fields['proc.cmdline'] = e.process.command_line;
  if (e.process?.executable) fields['proc.exepath'] = e.process.executable;
  if (e.process?.pid !== undefined) fields['proc.pid'] = e.process.pid;
  if (e.user) fields['user.name'] = e.user;
  if (a.strategy) fields['stowaway.strategy.id'] = a.strategy.id;
  const priority = FALCO_PRIORITY[a.level];
  const tags = [...new Set([...a.rule.tags, ...a.attack.map((t) => t.technique), ...(a.strategy ? [a.strategy.id] : [])])];
  return {
    uuid: a.id,
    time: a['@timestamp'],
    rule: a.rule.title,
    priority,
    output: `${clock(a['@timestamp'])}: ${priority} ${a.summary}`,
    output_fields: fields,
    source: falcoSource(a),
    tags,
    hostname: e.host ?? '',
  };
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.indexOf('@');
  if (at >= 0) return [image.slice(0, at), undefined];
  const m = /^(.*):([^/:]+)$/.exec(image);
  return m ? [m[1]!, m[2]] : [image, undefined];
}

function clock(iso: string): string {
  const m = /T(\d\d:\d\d:\d\d)(\.\d+)?/.exec(iso);
  return m ? `${m[1]}${(m[2] ?? '.0').padEnd(10, '0')}` : iso;
}

const SEVERITY: Record<Level, number> = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 };
const RISK: Record<Level, number> = { informational: 10, low: 21, medium: 47, high: 73, critical: 99 };

export function toEcs(a: Alert): Record<string, unknown> {
  const e = a.entity;
  const first = a.events[0];
  const doc: Record<string, unknown> = {
    '@timestamp': a['@timestamp'],
    message: a.summary,
    event: {
      kind: 'alert',
      id: a.id,
      created: a.created,
      start: a.first_seen,
      end: a.last_seen,
      severity: SEVERITY[a.level],
      risk_score: RISK[a.level],
      module: 'stowaway',
      dataset: 'stowaway.alerts',
      category: first?.event?.category,
    },
    rule: {
      id: a.rule.id,
      name: a.rule.title,
      description: a.rule.description,
      ruleset: a.rule.kind,
      author: a.rule.author ? [a.rule.author] : undefined,
      reference: a.rule.references?.[0],
    },
    threat: {
      framework: 'MITRE ATT&CK',
      technique: a.attack.map((t) => ({ id: t.technique, name: t.name, reference: `https://attack.mitre.org/techniques/${t.technique.replace('.', '/')}/` })),
      tactic: { name: [...new Set(a.attack.flatMap((t) => t.tactics))] },
    },
    host: first?.host ?? (e.host ? { name: e.host } : undefined),
    container: first?.container ?? (e.container ? { id: e.container.id, name: e.container.name, image: { name: e.container.image } } : undefined),
    orchestrator: first?.orchestrator,
    process: first?.process,
    user: first?.user ?? (e.user ? { name: e.user } : undefined),
    tags: a.rule.tags,
    stowaway: {
      alert: { id: a.id, count: a.count, held_back: a.held_back ?? 0, status: a.status, selections: a.selections },
      strategy: a.strategy ? { id: a.strategy.id, title: a.strategy.title, priority: a.strategy.priority } : undefined,
    },
  };
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

export function formatAlert(a: Alert, format: AlertFormat): Record<string, unknown> | Alert {
  if (format === 'falco') return toFalco(a);
  if (format === 'ecs') return toEcs(a);
  return a;
}
