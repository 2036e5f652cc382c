// What identifies a Docker events-API message, read once for the live reader (deduplication
// across reconnects, event time), the replay context and the normalizer.
import { textOf } from '../../model/values.js';
import { isObj, str, type Obj } from '../util.js';

export interface DockerMessageKeys {
  /** Object type (container, image, network…); messages in the old format (only `status`) are about containers. */
  type: string | undefined;
  /** The actor's id, or the old format's top-level id. */
  id: string | undefined;
  /** The whole action text (`exec_start: sh -c id`). */
  action: string | undefined;
  /** The action before its `:` detail (`exec_start`), trimmed; empty when there is no action. */
  verb: string;
  detail: string | undefined;
  /** Event time in epoch ms: `timeNano` when given, else `time` in seconds. */
  timeMs: number | undefined;
  /** The same message sent again after a reconnect has the same key. */
  dedup: string;
}

export function dockerMessageKeys(msg: Obj): DockerMessageKeys {
  const actor: Obj = isObj(msg.Actor) ? msg.Actor : {};
  const action = str(msg.Action) ?? str(msg.status);
  const colon = action?.indexOf(':') ?? -1;
  const tn = typeof msg.timeNano === 'number' ? msg.timeNano : undefined;
  return {
    type: str(msg.Type) ?? (msg.status !== undefined ? 'container' : undefined),
    id: str(actor.ID) ?? str(msg.id),
    action,
    verb: action === undefined ? '' : (colon >= 0 ? action.slice(0, colon) : action).trim(),
    detail: action !== undefined && colon >= 0 ? action.slice(colon + 1).trim() : undefined,
    timeMs: tn !== undefined ? Math.floor(tn / 1e6) : typeof msg.time === 'number' ? msg.time * 1000 : undefined,
    dedup: `${str(msg.id) ?? ''}|${action ?? ''}|${textOf(msg.timeNano ?? msg.time)}`,
  };
}
