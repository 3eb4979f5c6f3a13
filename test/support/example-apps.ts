import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A free TCP port on 127.0.0.1 (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningExample {
  child: ChildProcess;
  output(): string;
  stop(): void;
}

/** Starts one of examples/ as its npm script does (node -r @swc-node/register), and waits for `ready` in its output. */
export async function startExample(main: string, env: Record<string, string>, ready: string): Promise<RunningExample> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, main)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes(ready)) {
    if (child.exitCode !== null) throw new Error(`${main} exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`${main} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, stop: () => void child.kill() };
}
