/**
 * Unit-of-work opening benchmark (not a test): `npm run bench:units`.
 *
 * Short platform units (`BEGIN; set_config` then one `SELECT $1`, then `COMMIT`) from BENCH_CONCURRENCY
 * (16) loops, BENCH_UNITS (20,000) per run, on a pool that pipelines (the platform's setting: the
 * unit's first statement goes out in the opening's socket write) and on one that does not (the
 * statement waits for the opening's answer), alternated BENCH_RUNS (3) times in one process. Reports
 * units/s and CPU per unit of this process and of the pool's Postgres backends (from /proc).
 */
import 'reflect-metadata';
import { loadavg } from 'node:os';
import { EventBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RequestContext } from '@credence/context';
import { dataSourceOptions } from '@credence/database';
import { TenantRoles, TenantTransactionRunner } from '@credence/tenancy';
import { benchDatabaseServer, table, TICK_MS, ticksOf } from '../shared/bench-kit';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const UNITS = int('BENCH_UNITS', 20_000);
const CONCURRENCY = int('BENCH_CONCURRENCY', 16);
const RUNS = int('BENCH_RUNS', 3);
const SERVER = benchDatabaseServer();

async function measure(pipeline: boolean, monitor: Client) {
  const app = `bench-units-${pipeline ? 'pipelined' : 'waiting'}-${process.pid}`;
  const options = dataSourceOptions({ url: SERVER, max: CONCURRENCY, maxUses: 0, idleTimeoutMs: 30_000, applicationName: app }, []);
  const dataSource = await new DataSource({ ...options, extra: { ...(options.extra as object), pipeline } } as typeof options).initialize();
  // Platform units only: no tenant role, no request, no events.
  const context = { principal: undefined, traceparent: undefined, traceId: undefined } as unknown as RequestContext;
  const runner = new TenantTransactionRunner(dataSource, context, { publish: () => undefined } as unknown as EventBus, {} as TenantRoles);
  const unit = (n: number) => runner.inPlatform((uow) => uow.query('SELECT $1::int AS n', [n]));
  const loops = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await unit(next++);
      }),
    );
  };
  await loops(CONCURRENCY * 200); // every pooled connection open and warm
  const pids = (await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app])).rows.map((r) => r.pid);
  const pg0 = pids.reduce((a, p) => a + ticksOf(p), 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await loops(UNITS);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pgMs = (pids.reduce((a, p) => a + ticksOf(p), 0) - pg0) * TICK_MS;
  await dataSource.destroy();
  return { pipeline, units_per_s: Math.round(UNITS / seconds), node_us: Math.round((cpu.user + cpu.system) / UNITS), postgres_us: Math.round((pgMs * 1000) / UNITS) };
}

async function main() {
  const monitor = new Client({ connectionString: SERVER });
  await monitor.connect();
  const load = loadavg();
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  for (let run = 0; run < RUNS; run++) for (const pipeline of [false, true]) results.push(await measure(pipeline, monitor));
  await monitor.end();
  process.stdout.write(
    `Units of work: ${UNITS} per run, ${CONCURRENCY} loops, ${RUNS} runs alternated (load ${load.map((l) => l.toFixed(2)).join(' ')})\n${table(
      Object.keys(results[0]),
      results.map((r) => Object.values(r).map(String)),
    )}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
