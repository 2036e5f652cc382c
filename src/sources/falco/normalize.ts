// Falco's JSON output (json_output: true; file, stdout or http_output) into alert events.
import type { StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { compactEvent, shallowDefined, diag, isObj, num, str, strings, toIso, splitArgs, basename, imageRefOrUndefined, type Obj } from '../util.js';

export const FALCO_LOGSOURCE = { product: 'falco', service: 'falco' } as const;

export function normalizeFalco(obj: unknown, origin: string): SourceRecord[] {
  if (!isObj(obj)) return [{ diagnostic: diag('falco', 'bad-falco', 'Falco output is not a JSON object', origin) }];
  const rule = str(obj.rule);
  const f: Obj = isObj(obj.output_fields) ? obj.output_fields : {};
  const ts = toIso(obj.time) ?? toIso(f['evt.time']);
  if (!rule || !ts) return [{ diagnostic: diag('falco', 'bad-falco', 'Falco output lacks rule or time', origin) }];
  const g = (k: string) => str(f[k]);
  const cmdline = g('proc.cmdline');
  const args = cmdline ? splitArgs(cmdline) : undefined;
  const exe = g('proc.exepath') ?? g('proc.exe');
  const cid = g('container.id');
  const repo = g('container.image.repository');
  const ev: StowawayEvent = {
    '@timestamp': ts,
    event: { kind: 'alert', module: 'falco', dataset: 'falco.alerts', action: rule, category: categoryOf(str(obj.source), f), provider: str(obj.source) },
    stowaway: { source: 'falco', logsource: { ...FALCO_LOGSOURCE }, origin },
    rule: { name: rule },
    message: str(obj.output),
    host: { name: str(obj.hostname) },
    falco: shallowDefined({
      rule,
      priority: str(obj.priority),
      output: str(obj.output),
      output_fields: f,
      tags: strings(obj.tags),
      source: str(obj.source),
      hostname: str(obj.hostname),
    }),
    container:
      cid && cid !== 'host'
        ? {
            id: cid,
            name: g('container.name'),
            image: repo ? { name: repo, tag: g('container.image.tag') } : imageRefOrUndefined(g('container.image')),
            runtime: g('container.type'),
            privileged: f['container.privileged'] === true ? true : undefined,
          }
        : undefined,
    process: {
      pid: num(f['proc.pid']),
      ppid: num(f['proc.ppid']),
      name: g('proc.name') ?? basename(exe),
      executable: exe,
      args: args && args.length ? args : undefined,
      command_line: cmdline,
      working_directory: g('proc.cwd'),
      parent: { name: g('proc.pname'), executable: g('proc.pexepath') ?? g('proc.pexe'), command_line: g('proc.pcmdline') },
    },
    user: { name: g('user.name'), id: g('user.uid') },
    file: g('fd.name') && g('fd.type') === 'file' ? { path: g('fd.name') } : undefined,
    orchestrator: g('k8s.ns.name') || g('k8s.pod.name') ? { type: 'kubernetes', namespace: g('k8s.ns.name'), pod: { name: g('k8s.pod.name') } } : undefined,
    tags: strings(obj.tags),
  };
  if (g('fd.sip')) {
    ev.destination = { ip: g('fd.sip'), port: num(f['fd.sport']) };
    ev.source = { ip: g('fd.cip'), port: num(f['fd.cport']) };
    ev.network = { transport: g('fd.l4proto') };
  }
  return [{ event: compactEvent(ev, ['falco']) }];
}

function categoryOf(source: string | undefined, f: Obj): string[] {
  if (source === 'k8s_audit' || source === 'k8saudit') return ['configuration'];
  if (f['fd.sip'] !== undefined) return ['network'];
  if (f['fd.name'] !== undefined && f['fd.type'] === 'file') return ['file'];
  return ['process'];
}
