/**
 * LDAP directory sync benchmark (not a test): `npm run bench:ldap-sync`.
 *
 * Debian's slapd (test/support/slapd.ts) is preloaded with slapadd with BENCH_USERS (10,000) users
 * and 20 groups of 500 members (every entry stamped 2026-01-01), one group mapped to a role. Credence
 * (apps auth + federation + sync in this process, as under `npm start`) reads it over StartTLS.
 * Measured, each BENCH_ROUNDS (3) times, in a fresh tenant per round:
 *   - full: POST /connections/{id}/sync to the run's `completed` (polled every 50 ms): 10,000 users
 *     created, grouped, linked; pages of 500 (RFC 2696).
 *   - idle incremental: the same connection again, nothing changed (the aim: ≤ 2 s).
 *   - incremental after 10 entries changed.
 * For each: seconds, the worker's own duration, this process's CPU (API + worker), the machine's busy
 * ticks (slapd and Postgres included), and the Postgres statements sent. Aims (issue 15): full ≤ 30 s,
 * idle incremental ≤ 2 s. On a shared machine the figures are rough: read the CPU columns and the load.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@credence/config';
import { dropDatabase } from '@credence/database';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { IdentityAccessModule } from '@credence/identity';
import { SyncJobsModule, SyncModule } from '@credence/sync';
import { generatedDirectory, userDn } from '../../test/support/ldap-directory';
import { connectionLdapSettings, Slapd, startSlapd } from '../../test/support/slapd';
import { benchWorld, cleanRedis, countRoundTrips, machineBusyTicks, sent, sourceRevision, table, traceReport, writeResults } from '../shared/bench-kit';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SERVER_URL = process.env.BENCH_SERVER_URL ?? 'postgres://postgres@localhost:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const PASSWORD = 'bench password 0123456789';
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

async function call(url: string, method: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface Timed {
  kind: string;
  status: string;
  read: number;
  created: number;
  updated: number;
  seconds: number;
  worker_ms: number;
  cpu_ms: number;
  machine_busy_ticks: number;
  pg_statements: number;
}

async function timedRun(url: string, slug: string, token: string, connection: string, kind: string, mode: 'full' | 'incremental'): Promise<Timed> {
  const before = { pg: sent.pg, busy: machineBusyTicks(), cpu: process.cpuUsage() };
  const t0 = performance.now();
  const { sync_id } = await call(url, 'POST', `/v1/t/${slug}/connections/${connection}/sync`, { mode }, token);
  for (;;) {
    const r = await call(url, 'GET', `/v1/t/${slug}/sync/runs/${sync_id}`, undefined, token);
    if (r.status !== 'started') {
      const cpu = process.cpuUsage(before.cpu);
      if (r.status !== 'completed') throw new Error(`run ${sync_id}: ${JSON.stringify(r)}`);
      return {
        kind,
        status: r.status,
        read: r.progress?.entries_read ?? 0,
        created: r.created,
        updated: r.updated,
        seconds: +((performance.now() - t0) / 1000).toFixed(2),
        worker_ms: r.timings.duration_ms,
        cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
        machine_busy_ticks: machineBusyTicks() - before.busy,
        pg_statements: sent.pg - before.pg,
      };
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const started = new Date();
  const load = { before: loadavg().map((x) => +x.toFixed(2)), after: [] as number[] };
  const groups = Array.from({ length: 20 }, (_, g) => ({ cn: `team-${g}`, members: (i: number) => i % 20 === g }));
  let slapd: Slapd | undefined;
  const world = await benchWorld('ldap_sync', run, SERVER_URL, REDIS_URL);
  const env: Record<string, string> = { ...world.env, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', DB_POOL_MAX: '20' };
  let app: NestFastifyApplication | undefined;
  try {
    const t0 = performance.now();
    slapd = await startSlapd({ preload: generatedDirectory({ users: USERS, domain: 'bench.example', groups }) });
    const loadSeconds = +((performance.now() - t0) / 1000).toFixed(2);
    countRoundTrips();
    const { config } = loadConfig(env);
    // BENCH_NO_WEBHOOKS=1: the sync without apps/sync's webhooks and SCIM modules, to see what the webhook
    // fan-out (one transaction per event) costs a run; by default the apps as `npm start` composes them.
    const modules =
      process.env.BENCH_NO_WEBHOOKS === '1'
        ? [AuthAppModule, FederationAppModule, SyncModule, SyncJobsModule, IdentityAccessModule]
        : [AuthAppModule, FederationAppModule, SyncAppModule];
    app = await createApp(config, 'bench-ldap-sync', modules);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const results: Timed[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const slug = `bench-${run}-${round}`;
      const email = `admin@${slug}.example`;
      await call(url, 'POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: PASSWORD } }, env.CREDENCE_ADMIN_KEY);
      const { access_token: token } = await call(url, 'POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD });
      const { id } = await call(
        url,
        'POST',
        `/v1/t/${slug}/connections`,
        {
          type: 'ldap',
          name: 'Bench directory',
          group_role_mapping: [{ group: 'team-0', role: 'manager' }],
          ldap: connectionLdapSettings(slapd, { timeout_ms: 10_000 }),
        },
        token,
      );
      traceReport(1);
      results.push(await timedRun(url, slug, token, id, 'full', 'full'));
      // BENCH_TRACE=1: the statements of the full run per user.
      if (process.env.BENCH_TRACE === '1') process.stdout.write(`\nfull run, per user:\n${traceReport(USERS).split('\n').slice(0, 25).join('\n')}\n`);
      results.push(await timedRun(url, slug, token, id, 'idle incremental', 'incremental'));
      const touched = Array.from({ length: 10 }, (_, k) => round * 10 + k);
      await slapd.modify(touched.map((i) => `dn: ${userDn(i)}\nchangetype: modify\nreplace: givenName\ngivenName: Round${round}\n`).join('\n'));
      results.push(await timedRun(url, slug, token, id, '10 changed', 'incremental'));
    }
    load.after = loadavg().map((x) => +x.toFixed(2));
    const rows = results.map((r) => [r.kind, r.read, r.created, r.updated, r.seconds, r.worker_ms, r.cpu_ms, r.machine_busy_ticks, r.pg_statements]);
    const kinds = ['full', 'idle incremental', '10 changed'];
    const medians = Object.fromEntries(
      kinds.map((k) => {
        const of = results.filter((r) => r.kind === k);
        return [
          k,
          { seconds: median(of.map((r) => r.seconds)), cpu_ms: median(of.map((r) => r.cpu_ms)), cpu_us_per_user: +((median(of.map((r) => r.cpu_ms)) * 1000) / USERS).toFixed(1) },
        ];
      }),
    );
    process.stdout.write(
      `\nLDAP sync, ${USERS} users in slapd (preloaded in ${loadSeconds} s), ${ROUNDS} rounds (rough: one shared machine)\n` +
        `${table(['run', 'entries read', 'created', 'updated', 'seconds', 'worker ms', 'process cpu ms', 'machine busy ticks', 'pg statements'], rows)}\n` +
        `medians: ${JSON.stringify(medians)}\nload average before ${load.before.join(' ')}, after ${load.after.join(' ')}\n`,
    );
    const out = { run, when: started.toISOString(), source: sourceRevision(), machine: { cpus: cpus().length, model: cpus()[0]?.model }, users: USERS, load, results, medians };
    process.stdout.write(`\nresults: ${writeResults('ldap-sync', started, run, out)}\n`);
  } finally {
    await app?.close();
    await slapd?.stop();
    await cleanRedis(REDIS_URL, world.prefix);
    if (process.env.BENCH_KEEP_DB !== '1') await dropDatabase(world.databaseUrl);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
