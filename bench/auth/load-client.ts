/**
 * Child process of the auth bench (forked by auth.bench.ts, never run by hand). It keeps load
 * generation off the app's event loop, and gives the bench more processes for the whole-machine
 * token check figure. Protocol over IPC: the parent sends `init`, the child answers `ready`; then
 * `start`, `snapshot` (answered with `window`) and `stop` (answered with `stopped`, then exit).
 *
 * Modes:
 *   login       N closed loops of POST /auth/login over keep-alive HTTP (node:http Agent);
 *   refresh     one closed loop per session chain: each refresh presents the token the previous one returned;
 *   verify      boots its own app on the same database and Redis prefix and calls TokenVerifier.verify in-process;
 *   introspect  autocannon against POST /auth/introspect (answered with `autocannon` once done).
 */
import 'reflect-metadata';
import { Agent, request } from 'node:http';
import { randomInt } from 'node:crypto';
import type { TenantRef } from '@credence/context';
import type * as VerifyWorker from './verify-worker';
import { Workload } from './shared';

export type InitMessage =
  | { cmd: 'init'; mode: 'login'; url: string; slug: string; emails: string[]; password: string; concurrency: number; ratePerS?: number }
  | { cmd: 'init'; mode: 'refresh'; url: string; slug: string; refreshTokens: string[] }
  | { cmd: 'init'; mode: 'verify'; env: Record<string, string>; tenant: TenantRef; tokens: string[]; concurrency: number; ratePerS?: number }
  | { cmd: 'init'; mode: 'introspect'; url: string; slug: string; token: string; authorization: string; connections: number; seconds: number; expectBody?: string };

export type ParentMessage = InitMessage | { cmd: 'start' } | { cmd: 'snapshot' } | { cmd: 'progress' } | { cmd: 'stop' };

const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, undefined, undefined, () => resolve()));

class HttpFailure extends Error {
  constructor(
    readonly kind: string,
    readonly fatal = false,
  ) {
    super(kind);
  }
}

/** A keep-alive POST of a body; resolves with status and text. */
function poster(base: string, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const { hostname, port } = new URL(base);
  return (path: string, body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ agent, hostname, port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** A client address per request, so the per-IP login limit sees many clients (the app trusts 127.0.0.1 as proxy). */
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function workloadFor(init: InitMessage): Promise<{ workload: Workload; concurrency: number; ratePerS?: number; close?: () => Promise<void> }> {
  switch (init.mode) {
    case 'login': {
      const post = poster(init.url, init.concurrency);
      const path = `/v1/t/${init.slug}/auth/login`;
      const workload = new Workload(async (seq) => {
        const body = JSON.stringify({ email: init.emails[seq % init.emails.length], password: init.password });
        const res = await post(path, body, { 'content-type': 'application/json', 'x-forwarded-for': randomIp() });
        if (res.status !== 200 || !res.text.includes('"access_token"')) throw new HttpFailure(`HTTP ${res.status} ${res.text.slice(0, 60)}`);
      });
      return { workload, concurrency: init.concurrency, ratePerS: init.ratePerS };
    }
    case 'refresh': {
      const chains = [...init.refreshTokens];
      const post = poster(init.url, chains.length);
      const path = `/v1/t/${init.slug}/auth/token/refresh`;
      const workload = new Workload(async (_seq, loop) => {
        const res = await post(path, JSON.stringify({ refresh_token: chains[loop] }), { 'content-type': 'application/json' });
        if (res.status !== 200) throw new HttpFailure(`HTTP ${res.status} ${res.text.slice(0, 60)}`, true); // the chain cannot go on
        const next = (JSON.parse(res.text) as { refresh_token?: string }).refresh_token;
        if (!next || next === chains[loop]) throw new HttpFailure('no new refresh token', true);
        chains[loop] = next;
      });
      return { workload, concurrency: chains.length };
    }
    case 'verify': {
      // Loaded here only: the HTTP load modes stay light (their CPU is counted as the client's).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { bootVerifier } = require('./verify-worker') as typeof VerifyWorker;
      const { verifier, close } = await bootVerifier(init.env);
      const tokens = init.tokens;
      const workload = new Workload(async (seq) => {
        await verifier.verify(init.tenant, tokens[seq % tokens.length]);
      });
      // Warm the key cache and the revocation path before the parent starts measuring.
      for (const t of tokens) await verifier.verify(init.tenant, t);
      return { workload, concurrency: init.concurrency, ratePerS: init.ratePerS, close };
    }
    default:
      throw new Error(`no workload for ${init.mode}`);
  }
}

async function introspect(init: Extract<InitMessage, { mode: 'introspect' }>): Promise<unknown> {
  // autocannon is CommonJS with `export =` typings.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as typeof import('autocannon');
  const cpu0 = process.cpuUsage();
  const result = await autocannon({
    url: `${init.url}/v1/t/${init.slug}/auth/introspect`,
    method: 'POST',
    headers: { authorization: init.authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(init.token)}`,
    connections: init.connections,
    duration: init.seconds,
    pipelining: 1,
    expectBody: init.expectBody,
  });
  const cpu = process.cpuUsage(cpu0);
  return { result, client_cpu_s: (cpu.user + cpu.system) / 1e6 };
}

let state: Awaited<ReturnType<typeof workloadFor>> | undefined;

process.on('message', (m: ParentMessage) => {
  void (async () => {
    try {
      if (m.cmd === 'init') {
        if (m.mode === 'introspect') {
          await send({ type: 'ready' });
          await send({ type: 'autocannon', ...((await introspect(m)) as object) });
          process.exit(0);
        }
        state = await workloadFor(m);
        await send({ type: 'ready' });
      } else if (m.cmd === 'start') {
        state!.workload.start(state!.concurrency, state!.ratePerS);
      } else if (m.cmd === 'snapshot') {
        await send({ type: 'window', window: state!.workload.snapshot(), ended_loops: state!.workload.endedLoops });
      } else if (m.cmd === 'progress') {
        await send({ type: 'progress', total: state!.workload.total, ended_loops: state!.workload.endedLoops });
      } else if (m.cmd === 'stop') {
        await state!.workload.stop();
        const last = state!.workload.snapshot();
        await state!.close?.();
        await send({ type: 'stopped', window: last, ended_loops: state!.workload.endedLoops });
        process.exit(0);
      }
    } catch (err) {
      await send({ type: 'error', message: err instanceof Error ? err.stack : String(err) });
      process.exit(1);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
