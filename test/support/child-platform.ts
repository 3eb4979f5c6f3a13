import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testEnv } from '@credence/testing';

const ROOT = join(__dirname, '..', '..');

/** Builds dist/ when sources changed, so tests can run the real platform as a child process. */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.js')], { cwd: ROOT, stdio: 'inherit' });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * For tests that kill a platform mid-job: the job's lock lapses 10 s after the kill, and the next
 * process's worker takes it over within about 20 s instead of 30 to 60 (JOB_LOCK_SECONDS).
 */
export const QUICK_JOB_TAKEOVER = { JOB_LOCK_SECONDS: '10' };

export interface ChildPlatform {
  process: ChildProcess;
  url: string;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node dist/apps/platform/src/main.js` against the test run's database and waits for /health. */
export async function startChildPlatform(overrides: Record<string, string> = {}): Promise<ChildPlatform> {
  const port = await freePort();
  const env = { ...process.env, ...testEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...overrides }) };
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'platform', 'src', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  // Generous: a platform starting while the other jest worker runs a heavy spec took over 30 s once in CI.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`platform exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`platform did not become healthy:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    process: child,
    url,
    output: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
