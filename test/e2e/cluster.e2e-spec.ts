import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { TEST_ADMIN_KEY, testEnv } from '@credence/testing';
import { ensureBuilt, freePort, waitFor } from '../support/child-platform';

const ROOT = join(__dirname, '..', '..');

interface Answer {
  status: number;
  body: any;
}

/** One request on a connection of its own: node:cluster hands out connections, not requests, round-robin. */
function call(url: string, method: string, path: string, body?: unknown, token?: string, traceId?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(traceId ? { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A trace id for request i of a phase: the phase's tag in hex, then i. */
const traceOf = (phase: string, i: number) => `${Buffer.from(phase).toString('hex')}${i.toString(16)}`.padEnd(32, '0');

/** The pids of the processes that logged a request line for a request of this phase (by its trace id). */
function servedBy(output: string, phase: string): Set<number> {
  const tag = Buffer.from(phase).toString('hex');
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { pid?: number; msg?: string; trace_id?: string };
    if (entry.msg === 'request completed' && entry.trace_id?.startsWith(tag) && entry.pid) pids.add(entry.pid);
  }
  return pids;
}

const listeningWorkers = (output: string): number[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('listening on') && l.includes('(worker '))
    .map((l) => (JSON.parse(l) as { pid: number }).pid);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('CREDENCE_WORKERS=2: one port, two worker processes', () => {
  let primary: ChildProcess;
  let output = '';
  let url: string;

  beforeAll(async () => {
    ensureBuilt();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, ...testEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', CREDENCE_WORKERS: '2' }) };
    primary = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'platform', 'src', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    primary.stdout!.on('data', (d) => (output += d));
    primary.stderr!.on('data', (d) => (output += d));
    await waitFor('both workers listening', async () => primary.exitCode === null && listeningWorkers(output).length === 2, 90_000).catch((err) => {
      throw new Error(`${(err as Error).message}:\n${output}`);
    });
  }, 240_000);

  afterAll(async () => {
    if (primary && primary.exitCode === null && primary.signalCode === null) primary.kill('SIGKILL');
    for (const pid of listeningWorkers(output)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('serves requests from both workers, and a session ended through one is refused by the other at once', async () => {
    const workers = listeningWorkers(output);
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(primary.pid);

    const slug = `cluster-${Date.now().toString(36)}`;
    const onboarded = await call(
      url,
      'POST',
      '/v1/admin/tenants',
      { slug, name: 'Cluster', admin: { email: `ada@${slug}.example`, password: 'correct horse battery staple' } },
      TEST_ADMIN_KEY,
    );
    expect(onboarded.status).toBe(201);
    const login = await call(url, 'POST', `/v1/t/${slug}/auth/login`, { email: `ada@${slug}.example`, password: 'correct horse battery staple' });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;

    // Both workers accept the token (keys and settings come from the shared database).
    for (let i = 0; i < 10; i++) expect((await call(url, 'GET', `/v1/t/${slug}/me`, undefined, token, traceOf('before', i))).status).toBe(200);
    const before = await waitFor('request lines of both workers', async () => servedBy(output, 'before').size === 2 && servedBy(output, 'before'), 5_000);
    expect([...before].sort()).toEqual([...workers].sort());

    // Ended through whichever worker takes the logout; every request after it, on either worker, is refused.
    expect((await call(url, 'POST', `/v1/t/${slug}/auth/logout`, undefined, token)).status).toBe(204);
    for (let i = 0; i < 10; i++) {
      const after = await call(url, 'GET', `/v1/t/${slug}/me`, undefined, token, traceOf('after', i));
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('auth.session.revoked');
    }
    const refusedBy = await waitFor('request lines of both workers', async () => servedBy(output, 'after').size === 2 && servedBy(output, 'after'), 5_000);
    expect([...refusedBy].sort()).toEqual([...workers].sort());
  }, 60_000);

  it('answers /metrics for the whole cluster: request counts of both workers summed', async () => {
    const count = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('credence_http_request_duration_seconds_count{') && l.includes('route="/v1/t/:tenant/me"'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    // The first test made 20 /me requests, half of them or so on each worker.
    expect(await count()).toBe(20);
    expect(await count()).toBe(20); // whichever worker answers the scrape
  }, 30_000);

  it('restarts a killed worker while the other keeps the port answering', async () => {
    const [victim, survivor] = listeningWorkers(output);
    process.kill(victim, 'SIGKILL');
    await waitFor('the primary to notice', async () => /a worker died: starting another/.test(output), 10_000);
    for (let i = 0; i < 10; i++) expect((await call(url, 'GET', `/health?during=${i}`)).status).toBe(200);

    const replacement = await waitFor('a replacement worker', async () => listeningWorkers(output).find((p) => p !== victim && p !== survivor), 60_000);
    expect(alive(victim)).toBe(false);
    // Both live workers serve again.
    for (let i = 0; i < 10; i++) expect((await call(url, 'GET', '/v1/nope', undefined, undefined, traceOf('restarted', i))).status).toBe(404);
    const pids = await waitFor('request lines of both workers', async () => servedBy(output, 'restarted').size === 2 && servedBy(output, 'restarted'), 5_000);
    expect([...pids].sort()).toEqual([survivor, replacement].sort());
  }, 90_000);

  it('stops every worker and exits cleanly on SIGTERM', async () => {
    const workers = listeningWorkers(output).filter(alive);
    expect(workers).toHaveLength(2);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => primary.once('exit', (code, signal) => resolve([code, signal])));
    primary.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    for (const pid of workers) expect(alive(pid)).toBe(false);
    expect(output.split('\n').filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    await expect(call(url, 'GET', '/health')).rejects.toThrow(/ECONNREFUSED/);
  }, 30_000);
});
