import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { testEnv } from '@credence/testing';
import { ensureBuilt, freePort } from '../support/child-platform';

const ROOT = join(__dirname, '..', '..');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a built app main until it exits or `until` sees what it waits for; returns what it printed. */
async function runApp(app: string, env: Record<string, string>, until?: (url: string) => Promise<void>, logged?: RegExp): Promise<Exit> {
  const port = env.PORT;
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  if (until) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.ok) break;
      } catch {
        /* not yet */
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${app} did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      await until(`http://127.0.0.1:${port}`);
      // A busy machine may write the request's log line a moment after the response: wait for it before stopping.
      for (const deadline = Date.now() + 5_000; logged && !logged.test(output) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    } finally {
      child.kill('SIGTERM');
    }
  }
  const [code, signal] = await exited;
  return { code, signal, output };
}

describe('each app runs alone', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it.each(['auth', 'federation', 'sync', 'audit', 'platform'])(
    '%s starts, serves /health and /metrics, and stops cleanly on SIGTERM',
    async (app) => {
      const port = String(await freePort());
      const result = await runApp(
        app,
        testEnv({ PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
        async (url) => {
          const health = await fetch(`${url}/health`);
          expect(await health.json()).toMatchObject({ status: 'ok' });
          const metrics = await fetch(`${url}/metrics`);
          expect(metrics.status).toBe(200);
          expect(await metrics.text()).toContain('credence_http_request_duration_seconds');
          const notFound = await fetch(`${url}/v1/nope`);
          expect(((await notFound.json()) as any).error.code).toBe('route.not_found');
        },
        /"url":"\/v1\/nope"/,
      );
      // Nest closes the app on SIGTERM, then re-raises the signal so the exit status tells how it ended.
      expect(result.code === 0 || result.signal === 'SIGTERM').toBe(true);
      expect(result.output).not.toMatch(/"level":(50|60)/);
      // Logs are JSON lines, and request lines carry the trace id.
      const lines = result.output.split('\n').filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      const requestLine = lines.map((l) => JSON.parse(l)).find((l) => l.req?.url === '/v1/nope');
      expect(requestLine?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    },
    60_000,
  );

  it('the audit app serves the audit routes and not sign-in', async () => {
    const port = String(await freePort());
    await runApp('audit', testEnv({ PORT: port, HOST: '127.0.0.1' }), async (url) => {
      const audit = await fetch(`${url}/v1/t/nobody/audit/events`);
      expect(((await audit.json()) as any).error.code).not.toBe('route.not_found');
      const login = await fetch(`${url}/v1/t/nobody/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(((await login.json()) as any).error.code).toBe('route.not_found');
    });
  }, 60_000);

  it('stops with one message naming every bad variable', async () => {
    const result = await runApp('auth', testEnv({ PORT: 'abc', DB_POOL_MAX: '0', REDIS_URL: 'not a url' }));
    expect(result.code).toBe(1);
    expect(result.output).toContain('Invalid configuration');
    for (const name of ['PORT', 'DB_POOL_MAX', 'REDIS_URL']) expect(result.output).toContain(name);
  });

  it('stops with a message saying how to start Redis when none answers', async () => {
    const closed = await freePort();
    const result = await runApp('auth', testEnv({ PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${closed}` }));
    expect(result.code).toBe(1);
    expect(result.output).toContain('Redis does not answer');
    expect(result.output).toContain('redis-server');
  });
});
