// Kubernetes variants: every spelling the API server accepts for the settings and actions the
// strategies claim (each workload kind's pod template, init and ephemeral containers, JSON and
// merge patches, updates, path forms of hostPath, legacy annotations, every exec verb), and the
// ordinary workloads that resemble them, written from their projects' documented manifests. No API
// server runs here, so each variant carries the audit events the API server would record
// (audit.k8s.io/v1, stage ResponseComplete) and is replay-only.
//
// One module per strategy and technique family under kubernetes/; this file puts them in order.
import type { VariantGenerator } from './types.js';
import { build, type Spec } from './kubernetes/spec.js';
import { perWorkloadKind, changesToWorkloads, annotationAndAllowlistTricks } from './kubernetes/privileged.js';
import { hostPathSpellings, hostPathWorkloads } from './kubernetes/host-path.js';
import { isolationProfiles } from './kubernetes/isolation.js';
import { execIntoPods } from './kubernetes/exec.js';
import { hardenedAndMonitoring, controlPlaneAndStorage, securityAgents, routineOperations, ciAndScheduler } from './kubernetes/node-agents.js';
import { ads0001Positive, ads0001Benign } from './kubernetes/shares.js';
import { admissionWebhooks, podSecurityAndAgents, logOptOutAndSystemNamespaces, ads0002Benign } from './kubernetes/defenses.js';
import { ads0004Positive, ads0004Benign } from './kubernetes/vms.js';

export { auditEvent, type Actor, type Request } from './kubernetes/audit.js';
export { K8S_RULES } from './kubernetes/spec.js';

const ads0002Positive = (): Spec[] => [...admissionWebhooks(), ...podSecurityAndAgents(), ...logOptOutAndSystemNamespaces()];

const ads0003Positive = (): Spec[] => [
  ...perWorkloadKind(),
  ...changesToWorkloads(),
  ...hostPathSpellings(),
  ...hostPathWorkloads(),
  ...annotationAndAllowlistTricks(),
  ...isolationProfiles(),
  ...execIntoPods(),
];

const ads0003Benign = (): Spec[] => [...hardenedAndMonitoring(), ...controlPlaneAndStorage(), ...securityAgents(), ...routineOperations(), ...ciAndScheduler()];

export const generate: VariantGenerator = () => [
  ...ads0001Positive().map((s) => build('ADS-0001', 'positive', s)),
  ...ads0001Benign().map((s) => build('ADS-0001', 'benign', s)),
  ...ads0002Positive().map((s) => build('ADS-0002', 'positive', s)),
  ...ads0002Benign().map((s) => build('ADS-0002', 'benign', s)),
  ...ads0003Positive().map((s) => build('ADS-0003', 'positive', s)),
  ...ads0003Benign().map((s) => build('ADS-0003', 'benign', s)),
  ...ads0004Positive().map((s) => build('ADS-0004', 'positive', s)),
  ...ads0004Benign().map((s) => build('ADS-0004', 'benign', s)),
];
