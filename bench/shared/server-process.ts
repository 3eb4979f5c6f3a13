import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { procTicks } from '../auth/shared';

/** The auth app as a process of its own (`node dist/apps/auth/src/main.js`), with CREDENCE_WORKERS workers. */
export interface ServerProcess {
  url: string;
  /** The primary and its workers (one pid when CREDENCE_WORKERS=1). */
  pids(): number[];
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** Starts the built auth app and waits until every worker answers (/health on each of a few fresh connections). */
export async function startServerProcess(env: Record<string, string>, workers: number): Promise<ServerProcess> {
  const port = await freePort();
  const main = join(__dirname, '..', '..', 'apps', 'auth', 'src', 'main.js');
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', CREDENCE_WORKERS: String(workers), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const pids = () => (workers > 1 ? [child.pid!, ...childrenOf(child.pid!)] : [child.pid!]);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`auth app (${workers} workers) exited with ${child.exitCode}`);
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up && pids().length === (workers > 1 ? workers + 1 : 1)) break;
    if (Date.now() > deadline) throw new Error(`auth app (${workers} workers) did not start`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // /health answers once the first worker listens; the others may still be booting (Nest start-up
  // burns CPU, a listening idle worker almost none): wait until every process has settled.
  for (let calm = 0; calm < 2;) {
    const before = pids().map((p) => procTicks(p) ?? 0);
    await new Promise((r) => setTimeout(r, 500));
    const busiest = Math.max(...pids().map((p, i) => (procTicks(p) ?? 0) - (before[i] ?? 0)));
    calm = busiest <= 5 ? calm + 1 : 0;
    if (Date.now() > deadline) throw new Error(`auth app (${workers} workers) did not settle`);
  }
  return {
    url,
    pids,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
