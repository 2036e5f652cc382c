// Guesses a file's format from its first non-empty lines.
import type { FileFormat } from './types.js';
import { isObj } from './util.js';

export const FILE_FORMATS: readonly FileFormat[] = ['ecs', 'docker-events', 'auditd', 'k8s-audit', 'falco', 'zeek-conn', 'sysmon', 'winlog'];

export function detectFormat(lines: string[]): FileFormat | undefined {
  return describeFormat(lines)?.format;
}

/** What detection chose, in words a user recognises, and the line (1-based) that told it. */
export interface DetectedFormat {
  format: FileFormat;
  label: string;
  line: number;
}

export function describeFormat(lines: string[]): DetectedFormat | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const at = (format: FileFormat, label: string): DetectedFormat => ({ format, label, line: i + 1 });
    if (/^(?:node=\S+ )?type=\S+ msg=audit\(/.test(line)) return at('auditd', 'Linux audit log');
    if (line.startsWith('#separator') || line.startsWith('#fields') || line.startsWith('#path')) return at('zeek-conn', 'Zeek conn log (TSV)');
    if (line.includes('<Event')) return at('sysmon', 'Sysmon for Linux XML');
    if (line.startsWith('{') || line.startsWith('[')) {
      const v = jsonValue(line);
      if (v) return at(classify(v), labelOf(v));
      const f = jsonFormatByKeys(lines.join('\n'));
      if (f) return at(f, `${LABELS[f]} (a document spanning lines)`);
    }
  }
  return undefined;
}

function jsonValue(line: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (Array.isArray(v)) v = v[0];
  return isObj(v) ? v : undefined;
}

const LABELS: Record<FileFormat, string> = {
  ecs: 'ECS NDJSON',
  'docker-events': 'Docker events JSON',
  auditd: 'Linux audit log',
  'k8s-audit': 'Kubernetes audit JSON',
  falco: 'Falco JSON',
  'zeek-conn': 'Zeek conn log',
  sysmon: 'Sysmon for Linux XML',
  winlog: 'Windows event JSON',
};

/** Names the spelling of a Windows event document (flat, Event.System, Winlogbeat) and its channel. */
function labelOf(o: Record<string, unknown>): string {
  const f = classify(o);
  if (isOwnEvent(o)) return 'ECS NDJSON (stowaway events)';
  if (f !== 'winlog') return LABELS[f];
  if (isObj(o.Event)) return 'Windows event JSON (Event.System/EventData)';
  if (isObj(o.winlog)) return 'Winlogbeat JSON';
  const ch = typeof o.Channel === 'string' ? o.Channel.toLowerCase() : '';
  const p = o.Provider_Name ?? o.Provider;
  const provider = typeof p === 'string' ? p.toLowerCase() : '';
  if (ch === 'linux-sysmon/operational' || provider === 'linux-sysmon') return 'flat Sysmon for Linux JSON';
  if (ch === 'microsoft-windows-sysmon/operational' || provider === 'microsoft-windows-sysmon') return 'flat Sysmon JSON';
  return 'flat Windows event JSON';
}

export function classify(o: Record<string, unknown>): FileFormat {
  // stowaway's own events (what `scan` and the store write): their event model is ECS, whatever
  // source fields (winlog, docker) they also carry, and reading them as ECS keeps every field
  if (isOwnEvent(o)) return 'ecs';
  const api = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  if (api.startsWith('audit.k8s.io/') || o.kind === 'EventList' || (o.auditID !== undefined && o.verb !== undefined)) return 'k8s-audit';
  if ((o.Type !== undefined && o.Action !== undefined && o.Actor !== undefined) || (o.status !== undefined && o.id !== undefined && o.from !== undefined))
    return 'docker-events';
  if (o.rule !== undefined && o.priority !== undefined && (o.output !== undefined || o.output_fields !== undefined)) return 'falco';
  if (o['id.orig_h'] !== undefined) return 'zeek-conn';
  if (isObj(o.Event) || isObj(o.winlog) || (o.EventID !== undefined && (o.Channel !== undefined || o.Provider !== undefined || o.Provider_Name !== undefined)))
    return 'winlog';
  return 'ecs';
}

/** A document stowaway itself wrote: ECS with its `stowaway.logsource` bookkeeping and a time. */
function isOwnEvent(o: Record<string, unknown>): boolean {
  const own = o.stowaway;
  return isObj(own) && isObj(own.logsource) && o['@timestamp'] !== undefined;
}

// A pretty-printed document (an EventList body, a JSON array) spans lines: look for telling keys.
function jsonFormatByKeys(text: string): FileFormat | undefined {
  if (/"apiVersion"\s*:\s*"audit\.k8s\.io\//.test(text) || /"kind"\s*:\s*"EventList"/.test(text)) return 'k8s-audit';
  if (/"Actor"\s*:/.test(text) && /"Action"\s*:/.test(text)) return 'docker-events';
  if (/"output_fields"\s*:/.test(text)) return 'falco';
  if (/"id\.orig_h"\s*:/.test(text)) return 'zeek-conn';
  if (/"EventID"\s*:/.test(text) || /"winlog"\s*:/.test(text)) return 'winlog';
  if (/"@timestamp"\s*:/.test(text)) return 'ecs';
  return undefined;
}
