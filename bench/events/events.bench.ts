/**
 * Events benchmark (not a test): `npm run bench:events`.
 *
 * 100,000 events from 100 tenants (10 aggregates each), committed through the real unit of work
 * (TenantTransactionRunner: actor lock, outbox insert, NOTIFY, commit), relayed by a Credence
 * process leading the relay, over Redis Streams to 2 consumer instances (Nest microservices, one
 * group). Measures commit → handler latency per event, end-to-end throughput, lost and out-of-order
 * events (against the outbox's commit order per aggregate).
 *
 * Knobs: BENCH_EVENTS (100000), BENCH_TENANTS (100), BENCH_AGGREGATES_PER_TENANT (10),
 * BENCH_EVENTS_PER_TX (5), BENCH_PRODUCERS (16), BENCH_KILL_CONSUMER=1 (kill one consumer halfway),
 * BENCH_LEASE_MS (3000), EVENTS_PARTITIONS (16), BENCH_MODE (live | backlog: commit all events
 * first, then start the relay, to measure relay + transport + consumers alone), BENCH_DATABASE_URL (the
 * Postgres server the bench creates its database on; BENCH_SERVER_URL, its old name, is still read), REDIS_URL,
 * EVENTS_RELAY_BATCH_WINDOW_MS (passed to the relay; the production default otherwise).
 *
 * Remote mode (remote.ts): BENCH_TARGET_URL=http://host:3000 and BENCH_ADMIN_KEY (the server's platform admin
 * key), plus BENCH_TARGET_REDIS_URL and BENCH_TARGET_REDIS_PREFIX (the server's REDIS_URL and REDIS_PREFIX,
 * default `credence`) and EVENTS_PARTITIONS as the server has it: events are produced over HTTP (user updates)
 * for BENCH_SECONDS (10) by BENCH_PRODUCERS loops, relayed by the server, and read by two consumers here.
 * Throughput, latency, lost and out of order only: no CPU split remotely.
 *
 * Locally, each run also prints where the CPU went (µs per event): the producing process and its Postgres
 * backends, the relay process and its backend (`credence-relay`), each consumer, redis-server, Postgres's
 * background processes, and what else kept the machine busy; plus what the active backends waited on
 * (pg_stat_activity sampled every 20 ms): where commits queue. The window is the end-to-end one (live:
 * from the first commit; backlog: from the relay's start) to the last event handled.
 */
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '@credence/config';
import { dropDatabase } from '@credence/database';
import { benchDatabaseServer, benchWorld, countRoundTrips, redisServerPid, remoteTarget, sent, sourceRevision, table } from '../shared/bench-kit';
import { CpuSplit, Part, perEvent, postgresProcesses, sampleWaitEvents, startCpuSplit, WaitSamples } from '../shared/cpu-split';
import { runRemote } from './remote';
import { createApp } from '@credence/runtime';
import { TenantTransactionRunner } from '@credence/tenancy';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const N = int('BENCH_EVENTS', 100_000);
const TENANTS = int('BENCH_TENANTS', 100);
const AGGS = int('BENCH_AGGREGATES_PER_TENANT', 10);
const PER_TX = int('BENCH_EVENTS_PER_TX', 5);
const PRODUCERS = int('BENCH_PRODUCERS', 16);
const KILL = process.env.BENCH_KILL_CONSUMER === '1';
/** live: relay runs while producing; backlog: commit everything first, then start the relay (pipeline capacity). */
const MODE = process.env.BENCH_MODE === 'backlog' ? 'backlog' : 'live';
const LEASE_MS = int('BENCH_LEASE_MS', 3000);
const PARTITIONS = int('EVENTS_PARTITIONS', 16);
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const now = () => performance.timeOrigin + performance.now();
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const load0 = loadavg().map((x) => Math.round(x * 100) / 100);

/**
 * CPU split and wait sampling over one window. Consumers are the processes given (in order), the relay
 * the one `relayPid` names once it runs.
 */
async function startMeters(databaseUrl: string, consumerPids: number[], relayPid: () => number | undefined): Promise<{ stop(): Promise<{ cpu: CpuSplit; waits: WaitSamples }> }> {
  const redisPid = await redisServerPid(REDIS_URL);
  const pg = async (keep: (p: { application_name: string; backend_type: string }) => boolean) => (await postgresProcesses(databaseUrl)).filter(keep).map((p) => p.pid);
  const client = (p: { backend_type: string }) => p.backend_type === 'client backend';
  const parts: Part[] = [
    ['producer (node)', () => [process.pid]],
    ['producer backends (pg)', () => pg((p) => client(p) && p.application_name === 'credence-bench-producer')],
    ['relay (node)', () => [relayPid() ?? 0].filter(Boolean)],
    ['relay backend (pg)', () => pg((p) => client(p) && p.application_name === 'credence-relay')],
    ...consumerPids.map((pid, i): Part => [`consumer ${i + 1} (node)`, () => [pid]]),
    ['redis-server', () => (redisPid ? [redisPid] : [])],
    ['pg background (wal writer, checkpointer...)', () => pg((p) => !client(p))],
    ['pg other backends (relay app pool, wait sampler)', () => pg(client)],
  ];
  const label = (app: string) => ({ 'credence-bench-producer': 'producers', 'credence-relay': 'relay' })[app];
  const [split, sampler] = await Promise.all([startCpuSplit(parts), sampleWaitEvents(databaseUrl, label)]);
  return {
    async stop() {
      const cpu = await split.stop(); // first: the sampler's backend is one of the parts
      const waits = await sampler.stop();
      return { cpu, waits };
    },
  };
}

/** The CPU split as µs per event, and the top waits per part. */
function showSplit(cpu: CpuSplit, waits: WaitSamples, events: number): string {
  const us = perEvent(cpu, events);
  const rows = Object.entries(cpu.parts_ms).map(([part, ms]): (string | number)[] => [part, ms, us[part], `${Math.round((100 * ms) / Math.max(1, cpu.machine_busy_ms))} %`]);
  rows.push(['machine busy', cpu.machine_busy_ms, us.machine_busy, '100 %']);
  const lines = [`CPU over ${cpu.wall_s} s, ${events} events:`, table(['part', 'CPU ms', 'µs/event', 'share'], rows)];
  for (const [who, counts] of Object.entries(waits.per_part)) {
    const top = Object.entries(counts).slice(0, 8);
    lines.push(`waits of ${who} backends (${waits.samples} samples every ${waits.every_ms} ms): ${top.map(([w, n]) => `${w} ${n}`).join(', ')}`);
  }
  return lines.join('\n');
}

async function main() {
  const world = await benchWorld('events', run, SERVER_URL, REDIS_URL);
  const { prefix } = world;
  const env: Record<string, string> = { ...world.env, DB_POOL_MAX: String(PRODUCERS + 4), EVENTS_PARTITIONS: String(PARTITIONS), EVENTS_RELAY_BATCH_SIZE: '2000' };
  // The relay's batch window is a production setting: pass an override through to compare.
  if (process.env.EVENTS_RELAY_BATCH_WINDOW_MS) env.EVENTS_RELAY_BATCH_WINDOW_MS = process.env.EVENTS_RELAY_BATCH_WINDOW_MS;
  const children: ChildProcess[] = [];
  const redis = new Redis(REDIS_URL);
  try {
    // The producer: a Credence app whose relay and RPC are off (another process leads the relay).
    const { config } = loadConfig({ ...env, EVENTS_RELAY_ENABLED: 'false', EVENTS_RPC_ENABLED: 'false' });
    Object.assign(process.env, { EVENTS_RELAY_ENABLED: 'false', EVENTS_RPC_ENABLED: 'false' });
    countRoundTrips({ pgApplicationName: 'credence-bench-producer' });
    const producer = await createApp(config, 'bench-producer', []);
    await producer.init();
    const runner = producer.get(TenantTransactionRunner);

    const start = (file: string, extra: Record<string, string>) =>
      new Promise<ChildProcess>((resolve, reject) => {
        const child = fork(join(__dirname, file), [], { env: { ...env, ...extra }, execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
        const onReady = (m: { ready?: boolean }) => m.ready && resolve(child);
        child.on('message', onReady);
      });

    const firstHandled = new Map<string, { t: number; pid: number }>();
    let deliveries = 0;
    const onHandled = (m: { handled?: [string, string, number][]; pid: number }) => {
      for (const [id, , t] of m.handled ?? []) {
        deliveries += 1;
        if (!firstHandled.has(id)) firstHandled.set(id, { t, pid: m.pid });
      }
    };
    let relay: ChildProcess | undefined;
    const consumers = [
      await start('bench-consumer.ts', { PREFIX: prefix, PARTITIONS: String(PARTITIONS), LEASE_MS: String(LEASE_MS) }),
      await start('bench-consumer.ts', { PREFIX: prefix, PARTITIONS: String(PARTITIONS), LEASE_MS: String(LEASE_MS) }),
    ];
    consumers.forEach((c) => c.on('message', onHandled));
    if (MODE === 'live') relay = await start('bench-relay.ts', {});
    const meters = () =>
      startMeters(
        world.databaseUrl,
        consumers.map((c) => c.pid!),
        () => relay?.pid,
      );
    await new Promise((r) => setTimeout(r, Math.max(1500, LEASE_MS))); // both consumers hold their partitions

    const committedAt = new Map<string, number>();
    const tenants = Array.from({ length: TENANTS }, () => uuidv7());
    const aggregates = tenants.flatMap((t) => Array.from({ length: AGGS }, (_, i) => ({ tenant: t, aggregate: `user/${t}/${i}` })));
    const perAggregate = Math.ceil(N / aggregates.length);
    const tasks: { tenant: string; aggregate: string; from: number }[] = [];
    for (let from = 0; from < perAggregate; from += PER_TX) for (const a of aggregates) tasks.push({ ...a, from });
    let next = 0;
    let killed = false;
    let metered = MODE === 'live' ? await meters() : undefined;
    const t0 = now();
    const pg0 = sent.pg;
    const writes0 = sent.pgWrites;
    await Promise.all(
      Array.from({ length: PRODUCERS }, async () => {
        while (next < tasks.length) {
          const task = tasks[next++];
          const ids = await runner.inPlatform(
            async (uow) => {
              for (let j = task.from; j < Math.min(perAggregate, task.from + PER_TX); j++) {
                uow.emit('user.updated', task.aggregate, { user_id: task.aggregate, changed: [`seq:${j}`] }, task.tenant);
              }
              return uow.events.map((e) => e.envelope.id);
            },
            // As an actor's unit (ActorSystem): its lock rides in the write that carries the outbox rows and COMMIT.
            { locks: [{ key: `actor:${task.aggregate}` }], pipelineLocks: true },
          );
          const t = now();
          for (const id of ids) committedAt.set(id, t);
          if (KILL && !killed && firstHandled.size >= N / 2) {
            killed = true;
            consumers[0].kill('SIGKILL');
            process.stdout.write(`killed consumer ${consumers[0].pid} after ${firstHandled.size} events handled\n`);
          }
        }
      }),
    );
    const tProduced = now();
    const producerQueries = sent.pg - pg0;
    const producerWrites = sent.pgWrites - writes0;
    if (MODE === 'backlog') {
      metered = await meters(); // the window is the relay's: from its start
      relay = await start('bench-relay.ts', {});
    }
    const deadline = Date.now() + 120_000;
    while (firstHandled.size < committedAt.size && Date.now() < deadline) {
      if (KILL && !killed && firstHandled.size >= N / 2) {
        killed = true;
        consumers[0].kill('SIGKILL');
        process.stdout.write(`killed consumer ${consumers[0].pid} after ${firstHandled.size} events handled\n`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const tDone = Math.max(...[...firstHandled.values()].map((h) => h.t));
    const { cpu, waits } = await metered!.stop();

    // Order: per aggregate, first handlings must follow the outbox (commit) order.
    const rows: { event_id: string; aggregate: string }[] = await producer
      .get(TenantTransactionRunner)
      ['dataSource'].query('SELECT event_id, aggregate FROM platform.outbox ORDER BY position');
    const lastByAggregate = new Map<string, number>();
    let outOfOrder = 0;
    for (const r of rows) {
      const h = firstHandled.get(r.event_id);
      if (!h) continue;
      const prev = lastByAggregate.get(r.aggregate) ?? -Infinity;
      if (h.t < prev) outOfOrder += 1;
      lastByAggregate.set(r.aggregate, Math.max(prev, h.t));
    }
    const latencies = [...committedAt]
      .filter(([id]) => firstHandled.has(id))
      .map(([id, t]) => firstHandled.get(id)!.t - t)
      .sort((a, b) => a - b);
    const result = {
      run,
      source: sourceRevision(),
      when: new Date().toISOString(),
      loadavg_start_end: [load0, loadavg().map((x) => Math.round(x * 100) / 100)],
      machine: { cpus: cpus().length, model: cpus()[0]?.model },
      settings: {
        events: committedAt.size,
        tenants: TENANTS,
        aggregates: aggregates.length,
        events_per_tx: PER_TX,
        producers: PRODUCERS,
        consumers: 2,
        partitions: PARTITIONS,
        kill_consumer: KILL,
        lease_ms: LEASE_MS,
      },
      produced_per_s: Math.round(committedAt.size / ((tProduced - t0) / 1000)),
      // Queries the producers' units of work send (a multi-statement simple query is one), and the socket
      // writes that carried them: the round trips (an actor's unit pipelines its opening and its
      // outbox-and-COMMIT into one write).
      pg_queries_per_tx: +(producerQueries / tasks.length).toFixed(2),
      pg_round_trips_per_tx: +(producerWrites / tasks.length).toFixed(2),
      mode: MODE,
      // backlog: from the first event handled (the relay process is up) to the last
      end_to_end_per_s: Math.round(firstHandled.size / ((tDone - (MODE === 'backlog' ? Math.min(...[...firstHandled.values()].map((h) => h.t)) : t0)) / 1000)),
      latency_ms: {
        p50: +percentile(latencies, 50).toFixed(1),
        p90: +percentile(latencies, 90).toFixed(1),
        p99: +percentile(latencies, 99).toFixed(1),
        max: +latencies[latencies.length - 1].toFixed(1),
      },
      lost: committedAt.size - firstHandled.size,
      out_of_order: outOfOrder,
      duplicates: deliveries - firstHandled.size,
      per_consumer: Object.fromEntries(
        [...new Set([...firstHandled.values()].map((h) => h.pid))].map((pid) => [pid, [...firstHandled.values()].filter((h) => h.pid === pid).length]),
      ),
      cpu_us_per_event: perEvent(cpu, firstHandled.size),
      cpu,
      waits,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${showSplit(cpu, waits, firstHandled.size)}\n`);
    mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(join(__dirname, '..', 'results', `events-${MODE}-${KILL ? 'kill-' : ''}${run}.json`), `${JSON.stringify(result, null, 2)}\n`);
    await producer.close();
  } finally {
    for (const c of children) c.kill('SIGKILL');
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    redis.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    await dropDatabase(world.databaseUrl);
  }
}

const target = remoteTarget();
(target ? runRemote(target, { PRODUCERS, PARTITIONS, LEASE_MS }) : main()).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
