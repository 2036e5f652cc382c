// What a Kubernetes variant is written as (its audit requests), the rule ids it expects, and how it
// becomes a variant.
import type { Variant, VariantKind } from '../types.js';
import { type Request, auditEvent } from './audit.js';

export const K8S_RULES = {
  privileged: '6a81c573-57ca-4d01-82d6-b6d9d3e54611',
  hostAccess: '56b707c9-7d5b-4a89-a255-d161ca9f1205',
  capabilities: '2f9ab766-962d-41f1-91ff-5449fa702b16',
  isolation: 'bd27bcfd-8cbe-4eb9-b70d-75092215b55e',
  exec: '3272bd73-31b4-416a-80ca-9f373dd2aa2a',
  webhook: '4ddc54d6-d729-4031-91d7-bb0bef2377b8',
  podSecurity: 'c5103d2f-a388-4a30-81ed-e5a64712c46a',
  logOptOut: 'ff930ab4-97f5-4824-ae1d-21b19aa3a33f',
  agentRemoved: 'a49734cf-8b95-4ece-bbce-63c6f3c8cd1f',
  systemNamespace: 'c002c209-0ec4-4cdc-8262-8452f740fd5c',
  share: '7d3e9a41-6c2b-4f85-9e1a-0b4c8d2f6a17',
  kvm: '10049975-51e5-45f2-884d-a95855f22dee',
} as const;
/** Short name for the tables of specs. */
export const R = K8S_RULES;

export interface Spec {
  id: string;
  family: string;
  technique?: string;
  description: string;
  expect?: string[];
  requests: Request[];
}

export function build(strategy: string, kind: VariantKind, s: Spec): Variant {
  const id = `k8s-${s.id}`;
  return {
    strategy,
    id,
    kind,
    family: s.family,
    ...(s.technique ? { technique: s.technique } : {}),
    description: s.description,
    expect: kind === 'positive' ? (s.expect ?? []) : [],
    events: { format: 'k8s-audit', lines: s.requests.map((r, i) => JSON.stringify(auditEvent(`${strategy}/${id}`, i, r))) },
  };
}
