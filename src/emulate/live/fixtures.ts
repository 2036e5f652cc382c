// The far ends an emulation talks to, torn down after the scenario: an HTTPS
// upload target with a certificate minted by openssl at run time, and an ncat
// listener that plays the operator of a reverse shell. They listen on one
// address only — the run network's gateway in a live run (127.0.0.1 by
// default) — so nothing beyond this host and its emulation containers reaches them.
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Upload {
  method: string;
  path: string;
  bytes: number;
}

export interface HttpsTarget {
  host: string;
  port: number;
  url: string;
  certFile: string;
  uploads: Upload[];
  close(): Promise<void>;
}

/**
 * Mints a throwaway self-signed certificate for the IPv4 address `host` in `dir`. Asynchronously: the
 * live pipeline shares this process, and a key generation blocking it (up to 800 ms
 * measured) would hold every source's reads, and so the latencies being measured.
 */
export async function mintCertificate(dir: string, host = '127.0.0.1'): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'upload-cert.pem');
  const key = join(dir, 'upload-key.pem');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    `/CN=${host}`,
    '-addext',
    `subjectAltName=IP:${host}`,
  ];
  const { code, stderr, error } = await new Promise<{ code: number | null; stderr: string; error?: Error }>((resolve) => {
    let stderr = '';
    const child = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-2000)));
    child.on('error', (e) => resolve({ code: null, stderr, error: e }));
    child.on('close', (c) => resolve({ code: c, stderr }));
  });
  if (error) throw new Error(`openssl not runnable: ${error.message}`);
  if (code !== 0) throw new Error(`openssl could not mint a certificate: ${stderr.trim()}`);
  return { cert, key };
}

/** Starts an HTTPS server on `host` that accepts any POST/PUT body and remembers its size. */
export async function startHttpsTarget(dir: string, host = '127.0.0.1'): Promise<HttpsTarget> {
  const { cert, key } = await mintCertificate(dir, host);
  const uploads: Upload[] = [];
  // busybox wget's TLS client sends no signature_algorithms extension, which means
  // SHA-1 handshake signatures; OpenSSL 3 refuses those above security level 0.
  // This server only ever receives emulated exfiltration, on an address of this host.
  const tls = { cert: readFileSync(cert), key: readFileSync(key), ciphers: 'DEFAULT:@SECLEVEL=0' };
  const server = createHttpsServer(tls, (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      uploads.push({ method: req.method ?? '', path: req.url ?? '', bytes });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('stored\n');
    });
    req.on('error', () => res.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    url: `https://${host}:${port}/upload`,
    certFile: cert,
    uploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Asks the kernel for a free TCP port on `host`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, () => resolve());
  });
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface Listener {
  host: string;
  port: number;
  /** True once a shell connected back. */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * An ncat listener on `host`: when the reverse shell connects it sends a
 * harmless `id` and `exit`, so the remote shell ends on its own.
 */
export async function startListener(host = '127.0.0.1'): Promise<Listener> {
  const port = await freePort(host);
  let log = '';
  const child: ChildProcess = spawn('ncat', ['-v', '-l', host, String(port), '-c', 'echo id; echo exit; sleep 1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => (log += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString('utf8')));
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('error', (e) => resolve(e));
    child.once('spawn', () => resolve(undefined));
  });
  if (spawnError) throw new Error(`ncat not runnable: ${spawnError.message}`);
  // Wait until ncat is actually listening so the reverse shell does not race it.
  for (let i = 0; i < 50 && !/Listening on/.test(log); i++) await new Promise((r) => setTimeout(r, 50));
  if (!/Listening on/.test(log)) {
    child.kill('SIGKILL');
    throw new Error(`ncat did not start listening on ${host}:${port}: ${log.trim()}`);
  }
  return {
    host,
    port,
    connected: () => /Connection from/.test(log),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
        child.kill('SIGKILL');
        await gone;
      }
    },
  };
}
