// audit.log lines → assembled, normalized, attributed events. Shared by the file reader
// and the live tail (which also flushes idle events on a timer).
import type { LineParser } from '../lines.js';
import type { SourceRecord } from '../types.js';
import type { ContainerAttributor } from '../attribution.js';
import { diag } from '../util.js';
import { AuditAssembler, type AuditGroup } from './assemble.js';
import { normalizeAuditGroup } from './normalize.js';
import { parseAuditLine } from './parse.js';

export interface AuditParser extends LineParser {
  /** Completes events idle for `idleMs` (live). */
  flushIdle(idleMs: number): SourceRecord[];
  /** Lets a live reader name its origin by file and line as it switches files. */
  setFile(file: string): void;
  readonly assembler: AuditAssembler;
}

export function createAuditParser(file: string, attributor?: ContainerAttributor): AuditParser {
  const asm = new AuditAssembler();
  let name = file;
  const emit = (groups: AuditGroup[]): SourceRecord[] => {
    const out: SourceRecord[] = [];
    for (const g of groups) {
      for (const r of normalizeAuditGroup(g)) {
        if ('event' in r && attributor) {
          const a = attributor.attribute(r.event);
          (r.event.auditd as Record<string, unknown>).attribution = a;
        }
        out.push(r);
      }
    }
    return out;
  };
  return {
    assembler: asm,
    setFile(f) {
      name = f;
    },
    line(text, lineNo) {
      const origin = `${name}:${lineNo}`;
      const p = parseAuditLine(text);
      if ('error' in p) return [{ diagnostic: diag('auditd', 'bad-audit-record', p.error, origin) }];
      if (attributor && p.record.type === 'SYSCALL') attributor.prime(int(p.record.fields.pid), int(p.record.fields.ppid));
      return emit(asm.push(p.record, origin));
    },
    flushIdle: (idleMs) => emit(asm.flushIdle(idleMs)),
    end: () => emit(asm.flush()),
  };
}

function int(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
