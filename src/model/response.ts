// Containment: what may be done to the subject of an alert, and the record of what was done.

/** Actions on a container (Docker), a host process, or a Kubernetes pod. */
export type ResponseAction = 'preserve' | 'isolate' | 'restore' | 'pause' | 'unpause' | 'stop' | 'terminate' | 'quarantine';
export const RESPONSE_ACTIONS: readonly ResponseAction[] = ['preserve', 'isolate', 'restore', 'pause', 'unpause', 'stop', 'terminate', 'quarantine'];

/** `off`: nothing is ever changed (the default); `suggest`: people may act from the page or CLI; `auto`: listed actions run on new alerts. */
export type ResponseMode = 'off' | 'suggest' | 'auto';
export const RESPONSE_MODES: readonly ResponseMode[] = ['off', 'suggest', 'auto'];

export type ResponseResult = 'done' | 'dry-run' | 'refused' | 'failed';

/** One row of the audit trail: who did what to which subject of which alert, how it went, how to undo it. */
export interface ResponseRecord {
  id: string;
  alert_id: string;
  /** `cli:<user>`, `web:<actor>`, or `auto:<policy source>`. */
  actor: string;
  action: ResponseAction;
  /** What was acted on: `container:<id>`, `process:<pid>`, `pod:<ns>/<name>`. */
  target: string;
  dry_run: boolean;
  result: ResponseResult;
  /** What was (or would be) done, or why it was refused or failed. */
  detail: string;
  /** The command or action that reverses it, when there is one. */
  undo?: string;
  /** Action-specific record: networks removed, evidence files and digests, pids signalled ... */
  data?: Record<string, unknown>;
  started: string;
  finished: string;
  duration_ms: number;
}
