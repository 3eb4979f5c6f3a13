/**
 * Webhooks benchmark (not a test): `npm run bench:webhooks`.
 *
 * BENCH_TENANTS (10) tenants with BENCH_ENDPOINTS (10) webhooks each, all on one receiver process on
 * loopback (bench-receiver.ts); one endpoint of each tenant (10 %) is the one that hangs in the
 * `hanging` scenario. `user.updated` events are committed through the real unit of work in this
 * process (outbox, NOTIFY, commit); a Credence process (bench-credence.ts: relay, fan-out, delivery
 * worker, as under `npm start`) delivers them. Scenarios, each BENCH_REPEAT (3) times, interleaved:
 *
 * - `answering`: events paced for BENCH_RATE (2000) deliveries/s over BENCH_SECONDS (15), every
 *   endpoint answers 204 at once;
 * - `hanging`: the same, while the 10 % hang until the sender's WEBHOOK_TIMEOUT_MS (3000);
 * - `burst`: BENCH_BURST_EVENTS (2000) events committed as fast as 8 producers can, all answering:
 *   the delivery path's ceiling.
 *
 * Delay = received at the endpoint − the event's commit returned. Throughput = healthy deliveries /
 * (first commit → last healthy delivery received). CPU per delivery is split by process: the
 * Credence process, the receiver, this producer, the Postgres backends of the bench database, and
 * redis-server (shared with everything else on the machine: an upper bound). Load average and the
 * machine's busy CPU are reported with every run. Figures go to bench/results/webhooks-*.json.
 */
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '@credence/config';
import { dropDatabase } from '@credence/database';
import { createApp } from '@credence/runtime';
import { TenantTransactionRunner } from '@credence/tenancy';
import { benchWorld, cleanRedis, machineBusyTicks, repoRoot, sourceRevision, table, ticksOf, writeResults } from '../shared/bench-kit';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TENANTS = int('BENCH_TENANTS', 10);
const ENDPOINTS = int('BENCH_ENDPOINTS', 10);
const RATE = int('BENCH_RATE', 2000);
const SECONDS = int('BENCH_SECONDS', 15);
const BURST_EVENTS = int('BENCH_BURST_EVENTS', 2000);
const REPEAT = int('BENCH_REPEAT', 3);
const TIMEOUT_MS = int('BENCH_WEBHOOK_TIMEOUT_MS', 3000);
/** BENCH_PROFILE=1: a CPU profile of the Credence process for each run (bench/results/*.cpuprofile). */
const PROFILE = process.env.BENCH_PROFILE === '1';
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'answering,hanging,burst').split(',') as Scenario[];
const SERVER_URL = process.env.BENCH_SERVER_URL ?? 'postgres://postgres@localhost:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const PASSWORD = 'bench password 0123456789';
const TICK_S = 0.01; // /proc CPU ticks (USER_HZ 100)
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Scenario = 'answering' | 'hanging' | 'burst';

interface Child {
  proc: ChildProcess;
  port: number;
}

function start(file: string, env: Record<string, string>): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = fork(join(__dirname, file), [], { env, execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    proc.on('message', (m: { ready?: boolean; port?: number }) => m.ready && resolve({ proc, port: m.port! }));
  });
}

function ask<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (!(answer in m)) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    child.send(message);
  });
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function call(url: string, method: string, path: string, body: unknown, token: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? undefined : await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

async function main() {
  const started = new Date();
  const world = await benchWorld('webhooks', run, SERVER_URL, REDIS_URL);
  const env: Record<string, string> = {
    ...world.env,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    WEBHOOK_RETRY_SCHEDULE: '1h', // no retry inside a run: the hanging endpoints' deliveries fail once each
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
  };
  const children: ChildProcess[] = [];
  const db = new Client({ connectionString: world.databaseUrl });
  const received: [string, string, number][] = [];
  try {
    const receiver = await start('bench-receiver.ts', env);
    children.push(receiver.proc);
    receiver.proc.on('message', (m: { received?: [string, string, number][] }) => m.received && received.push(...m.received));
    const credence = await start('bench-credence.ts', { ...env, WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}` });
    children.push(credence.proc);
    const url = `http://127.0.0.1:${credence.port}`;
    const rx = `http://127.0.0.1:${receiver.port}`;

    // Tenants, their admins and their webhooks, through the API.
    const tenants: { id: string; slug: string; schema: string }[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const slug = `wh-${run}-${i}`;
      const email = `admin@${slug}.example`;
      const t = await call(url, 'POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: PASSWORD } }, env.CREDENCE_ADMIN_KEY);
      const login = await fetch(`${url}/v1/t/${slug}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      for (let e = 0; e < ENDPOINTS; e++) {
        const path = e === 0 ? `/hang/${i}` : `/ok/${i}-${e}`;
        await call(url, 'POST', `/v1/t/${slug}/webhooks`, { url: `${rx}${path}`, event_types: ['user.updated'] }, access_token);
      }
      tenants.push({ id: t.id, slug, schema: `t_${t.id.replace(/-/g, '')}` });
    }

    // The producer: this process commits the events (its relay is off: the Credence process leads it).
    Object.assign(process.env, { EVENTS_RELAY_ENABLED: 'false', EVENTS_RPC_ENABLED: 'false' });
    const { config } = loadConfig({ ...env, EVENTS_RELAY_ENABLED: 'false', EVENTS_RPC_ENABLED: 'false', DB_POOL_MAX: '12' });
    const producer = await createApp(config, 'bench-producer', []);
    await producer.init();
    const runner = producer.get(TenantTransactionRunner);
    await db.connect();

    const commit = async (tenantIdx: number): Promise<[string, number]> => {
      const tenant = tenants[tenantIdx];
      const userId = uuidv7();
      const id = await runner.inPlatform(async (uow) => {
        uow.emit('user.updated', `user/${userId}`, { user_id: userId, changed: ['name'] }, tenant.id);
        return uow.events[0].envelope.id;
      });
      return [id, now()];
    };
    const pendingDeliveries = async () => {
      const union = tenants.map((t) => `SELECT count(*)::int AS n FROM "${t.schema}".webhook_deliveries WHERE status = 'pending'`).join(' UNION ALL ');
      const rows: { n: number }[] = (await db.query(union)).rows;
      return rows.reduce((a, r) => a + r.n, 0);
    };
    const pgBackends = async () => (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)).rows.map((r: { pid: number }) => r.pid);
    const redisPids = pidsNamed('redis-server');

    const snapshot = async () => {
      const [c, r] = await Promise.all([
        ask<{ cpu: NodeJS.CpuUsage }>(credence.proc, { cpu: true }, 'cpu'),
        ask<{ cpu: NodeJS.CpuUsage; abandoned: number }>(receiver.proc, { cpu: true }, 'cpu'),
      ]);
      const pg = new Map((await pgBackends()).map((pid) => [pid, ticksOf(pid)]));
      return {
        t: now(),
        credence: cpuSeconds(c.cpu),
        receiver: cpuSeconds(r.cpu),
        producer: cpuSeconds(process.cpuUsage()),
        pg,
        redis: redisPids.reduce((a, pid) => a + ticksOf(pid), 0) * TICK_S,
        busy: machineBusyTicks() * TICK_S,
        abandoned: r.abandoned,
      };
    };

    // Warm-up: every endpoint answered once, connections open, caches filled.
    await ask(receiver.proc, { hang: false }, 'hangSet');
    const warm = await Promise.all(tenants.map((_, i) => commit(i)));
    const warmIds = new Set(warm.map(([id]) => id));
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
      if (received.filter(([id]) => warmIds.has(id)).length >= TENANTS * ENDPOINTS) break;
    }

    const runScenario = async (scenario: Scenario, round: number) => {
      await ask(receiver.proc, { hang: scenario === 'hanging' }, 'hangSet');
      const eventsPerSecond = RATE / ENDPOINTS;
      const total = scenario === 'burst' ? BURST_EVENTS : Math.round(eventsPerSecond * SECONDS);
      const committed = new Map<string, number>();
      const load = loadavg();
      if (PROFILE) credence.proc.send({ profile: 'start' });
      const before = await snapshot();
      const t0 = now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < total) {
            const i = next++;
            if (scenario !== 'burst') {
              const due = t0 + (i / eventsPerSecond) * 1000;
              if (due > now()) await sleep(due - now());
            }
            const [id, t] = await commit(i % TENANTS);
            committed.set(id, t);
          }
        }),
      );
      const tProduced = now();
      const healthyPerEvent = scenario === 'hanging' ? ENDPOINTS - 1 : ENDPOINTS;
      const expected = total * healthyPerEvent;
      const seen = new Map<string, number>(); // event id + path → first arrival
      let scanned = 0;
      const scan = () => {
        for (; scanned < received.length; scanned++) {
          const [id, path, t] = received[scanned];
          if (committed.has(id) && !seen.has(`${id} ${path}`)) seen.set(`${id} ${path}`, t);
        }
      };
      const isHealthy = (key: string) => scenario !== 'hanging' || !key.includes(' /hang/');
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(50)) {
        scan();
        if ([...seen.keys()].filter(isHealthy).length >= expected) break;
      }
      scan();
      const after = await snapshot();
      if (PROFILE) credence.proc.send({ profile: join(repoRoot(), 'bench', 'results', `webhooks-${run}-${scenario}-${round}.cpuprofile`) });
      const delays: number[] = [];
      let lastHealthy = t0;
      let hangingAttempts = 0;
      for (const [key, t] of seen) {
        if (!isHealthy(key)) {
          hangingAttempts += 1;
          continue;
        }
        delays.push(t - committed.get(key.split(' ')[0])!);
        lastHealthy = Math.max(lastHealthy, t);
      }
      delays.sort((a, b) => a - b);
      // Where the delay goes: commit → delivery rows written (the relay, the transport and the fan-out).
      const union = tenants
        .map(
          (t) =>
            `SELECT event_id::text AS id, extract(epoch FROM min(created_at)) * 1000 AS at FROM "${t.schema}".webhook_deliveries WHERE created_at >= to_timestamp($1 / 1000.0) GROUP BY event_id`,
        )
        .join(' UNION ALL ');
      const fanned: { id: string; at: number }[] = (await db.query(union, [t0 - 1000])).rows;
      const fanOutLag = fanned
        .filter((r) => committed.has(r.id))
        .map((r) => Number(r.at) - committed.get(r.id)!)
        .sort((a, b) => a - b);
      const deliveries = delays.length + hangingAttempts;
      let pgSeconds = 0;
      for (const [pid, ticks] of after.pg) pgSeconds += (ticks - (before.pg.get(pid) ?? 0)) * TICK_S;
      const perDelivery = (s: number) => +((s / Math.max(1, deliveries)) * 1e6).toFixed(0); // µs
      const cpu = {
        credence: perDelivery(after.credence - before.credence),
        receiver: perDelivery(after.receiver - before.receiver),
        producer: perDelivery(after.producer - before.producer),
        postgres: perDelivery(pgSeconds),
        redis_shared: perDelivery(after.redis - before.redis),
        machine_busy: perDelivery(after.busy - before.busy),
      };
      const ours = cpu.credence + cpu.receiver + cpu.producer + cpu.postgres + cpu.redis_shared;
      const seconds = (lastHealthy - t0) / 1000;
      const result = {
        scenario,
        round,
        events: total,
        offered_deliveries_per_s: scenario === 'burst' ? null : RATE,
        produce_seconds: +((tProduced - t0) / 1000).toFixed(2),
        healthy_expected: expected,
        healthy_received: delays.length,
        hanging_attempts: hangingAttempts,
        hanging_timed_out: after.abandoned - before.abandoned,
        healthy_per_s: Math.round(delays.length / seconds),
        deliveries_per_s: Math.round(deliveries / seconds),
        delay_ms: {
          p50: Math.round(percentile(delays, 50)),
          p90: Math.round(percentile(delays, 90)),
          p99: Math.round(percentile(delays, 99)),
          max: Math.round(delays[delays.length - 1] ?? NaN),
        },
        fan_out_lag_ms: { p50: Math.round(percentile(fanOutLag, 50)), p99: Math.round(percentile(fanOutLag, 99)) },
        cpu_us_per_delivery: { ...cpu, all_measured: ours },
        // What a quiet 2-core machine would carry if the measured processes had it to themselves.
        quiet_machine_deliveries_per_s: Math.round((cpus().length * 1e6) / ours),
        machine_busy_share: +((after.busy - before.busy) / ((after.t - before.t) / 1000) / cpus().length).toFixed(2),
        loadavg_before: load.map((l) => +l.toFixed(2)),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      if (process.env.BENCH_TRACE === '1') credence.proc.send({ trace: deliveries });
      // Drain: everything answers again, and the hanging endpoints' queued deliveries go out before the next run.
      await ask(receiver.proc, { hang: false }, 'hangSet');
      for (const deadline = Date.now() + 120_000; Date.now() < deadline && (await pendingDeliveries()) > 0;) await sleep(250);
      return result;
    };

    const results: Awaited<ReturnType<typeof runScenario>>[] = [];
    for (let round = 1; round <= REPEAT; round++) for (const s of SCENARIOS) results.push(await runScenario(s, round));

    const summary = SCENARIOS.map((s) => {
      const rs = results.filter((r) => r.scenario === s);
      const m = (f: (r: (typeof rs)[number]) => number) => median(rs.map(f));
      return {
        scenario: s,
        healthy_per_s: m((r) => r.healthy_per_s),
        deliveries_per_s: m((r) => r.deliveries_per_s),
        p50_ms: m((r) => r.delay_ms.p50),
        p99_ms: m((r) => r.delay_ms.p99),
        cpu_us_credence: m((r) => r.cpu_us_per_delivery.credence),
        cpu_us_postgres: m((r) => r.cpu_us_per_delivery.postgres),
        cpu_us_redis: m((r) => r.cpu_us_per_delivery.redis_shared),
        cpu_us_receiver: m((r) => r.cpu_us_per_delivery.receiver),
        cpu_us_producer: m((r) => r.cpu_us_per_delivery.producer),
        cpu_us_all: m((r) => r.cpu_us_per_delivery.all_measured),
        quiet_per_s: m((r) => r.quiet_machine_deliveries_per_s),
        hanging_timed_out: m((r) => r.hanging_timed_out),
      };
    });
    process.stdout.write(
      `\nWebhooks, ${TENANTS} tenants × ${ENDPOINTS} endpoints, medians of ${REPEAT} (one shared machine; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})\n${table(
        Object.keys(summary[0]),
        summary.map((s) => Object.values(s) as (string | number)[]),
      )}\n`,
    );
    const out = {
      run,
      when: started.toISOString(),
      source: sourceRevision(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model },
      settings: { tenants: TENANTS, endpoints_per_tenant: ENDPOINTS, rate: RATE, seconds: SECONDS, burst_events: BURST_EVENTS, webhook_timeout_ms: TIMEOUT_MS, repeat: REPEAT },
      summary,
      results,
    };
    process.stdout.write(`\nresults: ${writeResults('webhooks', started, run, out)}\n`);
    await producer.close();
  } finally {
    await db.end().catch(() => undefined);
    for (const c of children) c.kill('SIGKILL');
    await sleep(300);
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
