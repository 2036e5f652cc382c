// ADS-0003: commands run in running pods (exec, attach, the kubelet through nodes/proxy, ephemeral debug).
import { type Request, DEV } from './audit.js';
import { R, type Spec } from './spec.js';

/** Commands in running pods, by every verb and door the API server records. */
export function execIntoPods(): Spec[] {
  const out: Spec[] = [];
  const exec = (id: string, description: string, req: Omit<Request, 'actor'>): Spec => ({
    id,
    family: 'k8s-exec',
    technique: 'T1609',
    description,
    expect: [R.exec],
    requests: [{ actor: DEV, ...req }],
  });
  out.push(
    exec('exec-spdy-create', 'kubectl exec over SPDY: create on pods/exec.', {
      verb: 'create',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'exec',
      query: 'command=sh&command=-c&command=id&container=web&stdin=true&stdout=true&tty=true',
    }),
  );
  out.push(
    exec('exec-websocket-get', 'A WebSocket client (kubectl 1.30+, client libraries): get on pods/exec.', {
      verb: 'get',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'exec',
      query: 'command=%2Fbin%2Fsh&container=web&stdin=true&stdout=true&tty=true',
    }),
  );
  out.push(
    exec('attach-create', 'kubectl attach to the main process of a pod: create on pods/attach.', {
      verb: 'create',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'attach',
      query: 'container=web&stdin=true&stdout=true&tty=true',
    }),
  );
  out.push(
    exec('kubelet-proxy-run', "The kubelet's /run endpoint reached through nodes/proxy.", {
      verb: 'create',
      resource: 'nodes',
      name: 'worker-1',
      subresource: 'proxy',
      path: '/run/default/web-7d4b9/web',
      query: 'cmd=id',
    }),
  );
  out.push(
    exec('kubelet-proxy-exec', "The kubelet's /exec endpoint reached through nodes/proxy.", {
      verb: 'get',
      resource: 'nodes',
      name: 'worker-1',
      subresource: 'proxy',
      path: '/exec/default/web-7d4b9/web',
      query: 'command=id&output=1',
    }),
  );
  out.push(
    exec('ephemeral-debug-plain', 'kubectl debug adds an ordinary ephemeral busybox to a running pod.', {
      verb: 'patch',
      resource: 'pods',
      namespace: 'default',
      name: 'web-7d4b9',
      subresource: 'ephemeralcontainers',
      body: {
        spec: {
          ephemeralContainers: [{ name: 'debugger-q8z7m', image: 'docker.io/library/busybox:1.36', stdin: true, tty: true, targetContainerName: 'web' }],
        },
      },
    }),
  );
  return out;
}
