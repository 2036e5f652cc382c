// Guesses a file's format from its first non-empty lines.
import type { FileFormat } from './types.js';
import { isObj } from './util.js';

export const FILE_FORMATS: readonly FileFormat[] = ['ecs', 'docker-events', 'auditd', 'k8s-audit', 'falco', 'zeek-conn', 'sysmon', 'winlog'];

export function detectFormat(lines: string[]): FileFormat | undefined {
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (/^(?:node=\S+ )?type=\S+ msg=audit\(/.test(line)) return 'auditd';
    if (line.startsWith('#separator') || line.startsWith('#fields') || line.startsWith('#path')) return 'zeek-conn';
    if (line.includes('<Event')) return 'sysmon';
    if (line.startsWith('{') || line.startsWith('[')) {
      const f = jsonFormat(line) ?? jsonFormatByKeys(lines.join('\n'));
      if (f) return f;
    }
  }
  return undefined;
}

function jsonFormat(line: string): FileFormat | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (Array.isArray(v)) v = v[0];
  return isObj(v) ? classify(v) : undefined;
}

export function classify(o: Record<string, unknown>): FileFormat {
  const api = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  if (api.startsWith('audit.k8s.io/') || o.kind === 'EventList' || (o.auditID !== undefined && o.verb !== undefined)) return 'k8s-audit';
  if ((o.Type !== undefined && o.Action !== undefined && o.Actor !== undefined) || (o.status !== undefined && o.id !== undefined && o.from !== undefined))
    return 'docker-events';
  if (o.rule !== undefined && o.priority !== undefined && (o.output !== undefined || o.output_fields !== undefined)) return 'falco';
  if (o['id.orig_h'] !== undefined) return 'zeek-conn';
  if (isObj(o.Event) || isObj(o.winlog) || (o.EventID !== undefined && (o.Channel !== undefined || o.Provider !== undefined))) return 'winlog';
  return 'ecs';
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
