/**
 * Real services for the queue tests: a `redis-server` of its own on a free loopback port (Debian's
 * redis-server; .ci/run installs it), which a test can stop and restart on the same port, and
 * `gradconf worker` processes started as a user starts them (node bin/gradconf.js worker …).
 * Nothing listens or connects anywhere but 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every process started here (redis-server, workers, coordinators a test starts itself). */
const started = new Set<ChildProcess>();

/** SIGKILL every process started here that still runs: a test file's afterAll (after a timeout too). */
export function killStarted(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.once('exit', killStarted);

/** Have `child` killed when this process exits (for processes a test starts itself). */
export function track<C extends ChildProcess>(child: C): C {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}
export const BIN = join(ROOT, 'bin/gradconf.js');

/** A free TCP port on 127.0.0.1 (asked from the kernel). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** TLS material made with openssl: a CA and a server certificate for IP 127.0.0.1. */
export interface TlsFiles { dir: string; ca: string; cert: string; key: string }

/** Make a throw-away CA and server certificate (openssl req/x509), valid for 127.0.0.1. */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'gradconf-tls-'));
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=gradconf test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr')]);
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem')]);
  return { dir, ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

/** Whether this redis-server was built with TLS (it then knows --tls-port). */
export function redisHasTls(): boolean {
  const r = spawnSync('redis-server', ['--port', '0', '--tls-port', '1', '--bind', '127.0.0.1', '--daemonize', 'no'], { encoding: 'utf8', timeout: 5000 });
  return /tls-cert-file|Failed to configure TLS/i.test(`${r.stdout}${r.stderr}`);
}

/** A redis-server of the test's own. */
export class RedisServer {
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'gradconf-redis-'));

  private constructor(readonly port: number, private readonly o: { password?: string; tls?: TlsFiles }) {}

  /** Start one on a free port. */
  static async start(o: { password?: string; tls?: TlsFiles } = {}): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), o);
    await s.launch();
    return s;
  }

  /** redis:// (or rediss://) URL of the server, with the password if it has one. */
  get url(): string {
    const auth = this.o.password !== undefined ? `:${encodeURIComponent(this.o.password)}@` : '';
    return `${this.o.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir, '--protected-mode', 'yes'];
    if (this.o.tls) args.push('--port', '0', '--tls-port', String(this.port), '--tls-cert-file', this.o.tls.cert, '--tls-key-file', this.o.tls.key, '--tls-ca-cert-file', this.o.tls.ca, '--tls-auth-clients', 'no');
    else args.push('--port', String(this.port));
    if (this.o.password !== undefined) args.push('--requirepass', this.o.password);
    const proc = track(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.proc = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis-server did not start on ${this.port}: ${out}`)), 10_000);
      const on = (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) { clearTimeout(t); resolve(); }
      };
      proc.stdout!.on('data', on);
      proc.stderr!.on('data', on);
      proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`redis-server exited (${code}): ${out}`)); });
    });
  }

  /** Stop it (SIGTERM; nothing is saved: the data are gone). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p) return;
    await new Promise<void>((r) => {
      if (p.exitCode !== null || p.signalCode !== null) { r(); return; }
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  }

  /** Stop and start again on the same port (empty: no persistence). */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  /** Stop and delete its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A `gradconf worker` process. */
export class WorkerProcess {
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly proc: ChildProcess) {
    proc.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  }

  /** Start `gradconf worker --queue url …`; resolves once it is connected and taking units. */
  static async start(url: string, o: { concurrency?: number; lockMs?: number; graceS?: number; env?: NodeJS.ProcessEnv; backend?: string } = {}): Promise<WorkerProcess> {
    const args = [BIN, 'worker', '--queue', url, '--concurrency', String(o.concurrency ?? 1), '--lock-duration', String(o.lockMs ?? 2000)];
    if (o.graceS !== undefined) args.push('--grace', String(o.graceS));
    if (o.backend) args.push('--backend', o.backend);
    const w = new WorkerProcess(track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...o.env } })));
    const deadline = Date.now() + 30_000;
    while (!w.stderr.includes('gradconf worker: queue')) {
      if (w.proc.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start: ${w.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return w;
  }

  /** Resolves when the worker's log has a line matching `re` (e.g. a unit started). */
  async waitFor(re: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.stderr)) {
      if (Date.now() > deadline) throw new Error(`worker log never matched ${re}: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(sig: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(sig);
  }

  /** SIGKILL if still running (test clean-up). */
  async dispose(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}
