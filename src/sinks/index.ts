// Output selection from command-line options, shared by `watch`, `start` and `demo`.
import { createNatsOutput } from './nats.js';
import { createStreamOutput } from './stdout.js';
import { createWebhookOutput } from './webhook.js';
import type { AlertFormat, Output } from './types.js';

export type { Output, OutputStats, AlertFormat } from './types.js';
export { openStore, type Store } from './store/index.js';

export interface OutputOptions {
  /** NDJSON on stdout in this shape. */
  stdout?: AlertFormat;
  webhook?: string;
  webhookSecret?: string;
  webhookFormat?: AlertFormat;
  nats?: string;
  natsSubject?: string;
  natsFormat?: AlertFormat;
}

export const FORMATS: readonly AlertFormat[] = ['alert', 'falco', 'ecs'];

export function parseFormat(v: string): AlertFormat {
  if ((FORMATS as readonly string[]).includes(v)) return v as AlertFormat;
  throw new Error(`unknown alert format '${v}' (one of ${FORMATS.join(', ')})`);
}

export function createOutputs(o: OutputOptions): Output[] {
  const out: Output[] = [];
  if (o.stdout) out.push(createStreamOutput({ format: o.stdout }));
  if (o.webhook) out.push(createWebhookOutput({ url: o.webhook, secret: o.webhookSecret ?? process.env.STOWAWAY_WEBHOOK_SECRET, format: o.webhookFormat }));
  if (o.nats) out.push(createNatsOutput({ servers: o.nats.split(','), subject: o.natsSubject, format: o.natsFormat }));
  return out;
}
