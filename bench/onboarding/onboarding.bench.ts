/**
 * Onboarding benchmark (not a test): `npm run bench:onboarding`.
 *
 * Starts the real auth app (platform admin API + identity) in-process on its own database and
 * Redis prefix, with the production argon2 settings, and measures:
 *   A. onboarding over HTTP with (almost) no tenants present: 200 one by one, then 200 at concurrency 8;
 *   B. the same two measurements once 2,000 tenants are present (the fill uses invite-only admins: no argon2);
 *   C. applying one new small tenant migration to the first 1,000 tenants with the real TenantMigrator
 *      code (migration set = the real tenant migrations + bench-only ones), at several concurrencies.
 * Plus, for reference: the bare cost of schema + migration + seed in one transaction, argon2 and EC key
 * generation alone, and a per-SQL profile of onboarding with 2,000+ tenants present.
 *
 * Knobs (environment): BENCH_ONBOARD_N (200), BENCH_PRESENT (2000), BENCH_MIGRATE_N (1000),
 * BENCH_CONCURRENCY (8), BENCH_MIGRATION_CONCURRENCY ("4,8"), BENCH_PROFILE_N (50), BENCH_B_ROUNDS (3: phase B's concurrent phase, repeated), BENCH_FILL_SETTLE_SECONDS
 * (120: the longest wait after the fill for autovacuum to leave the bench database),
 * BENCH_REFERENCE_N (30), BENCH_DATABASE_URL (postgres://postgres@localhost:5432/postgres; the Postgres server
 * the bench creates its database on; BENCH_SERVER_URL, its old name, is still read),
 * BENCH_SPARE_POOL (TENANT_SPARE_POOL_SIZE; defaults to BENCH_ONBOARD_N so that each measured phase
 * is served from spare schemas, 0 measures the path without the pool; before each measured phase the
 * bench waits until the pool is full), REDIS_URL (redis://localhost:6379), BENCH_KEEP_DB=1 keeps the database, BENCH_SOURCE_COMMIT (recorded
 * when run outside a git checkout). Medians over runs: node dist/bench/onboarding/summarize.js <files>.
 *
 * Remote mode (remote.ts): BENCH_TARGET_URL=http://host:3000 and BENCH_ADMIN_KEY (the server's platform admin
 * key) run phases A, the fill and B against a Credence that already runs there (BENCH_ONBOARD_N, BENCH_PRESENT,
 * BENCH_CONCURRENCY apply; BENCH_SETTLE_SECONDS (10) pauses before each measured phase so the server's spare
 * pool can refill). Latency and throughput only: no CPU split, no phase C, references or SQL profile (they
 * need the server's /proc and database). Every tenant it onboarded is offboarded at the end.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, AppConfig, loadConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { KeyEncryption, newSigningKey, PasswordHasher } from '@credence/crypto';
import { applyPending, dropDatabase, ensureDatabase, MigrationSet } from '@credence/database';
import { seedNewTenant } from '@credence/identity';
import { createApp } from '@credence/runtime';
import { quoteSchema, schemaNameFor, TenantLifecycleStore, TenantMigrator, TenantRoles, TenantStore, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { tenantMigrations } from '@migrations/tenant';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { benchDatabaseServer, cleanRedis, machineBusyTicks, remoteTarget, sourceRevision, table, writeResults } from '../shared/bench-kit';
import { runRemote } from './remote';

// ---------------------------------------------------------------- knobs

const int = (name: string, fallback: number) => {
  const v = process.env[name];
  const n = v ? Number(v) : fallback;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const ONBOARD_N = int('BENCH_ONBOARD_N', 200);
const PRESENT = int('BENCH_PRESENT', 2000);
const MIGRATE_N = int('BENCH_MIGRATE_N', 1000);
const CONCURRENCY = int('BENCH_CONCURRENCY', 8);
const MIGRATION_CONCURRENCY = (process.env.BENCH_MIGRATION_CONCURRENCY ?? '4,8').split(',').map((s) => Number(s.trim()));
if (!MIGRATION_CONCURRENCY.every((c) => Number.isInteger(c) && c >= 1 && c <= 64)) throw new Error('BENCH_MIGRATION_CONCURRENCY must list integers 1..64');
const PROFILE_N = int('BENCH_PROFILE_N', 50);
const SPARE_POOL = int('BENCH_SPARE_POOL', ONBOARD_N);
const REFERENCE_N = int('BENCH_REFERENCE_N', 30);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
/** Rounds of phase B's concurrent onboardings (each after the pool is refilled). */
const B_ROUNDS = Math.max(1, int('BENCH_B_ROUNDS', 3));
/** Longest wait after the fill for autovacuum to leave the bench database (the fill rewrites the catalogue). */
const SETTLE_S = int('BENCH_FILL_SETTLE_SECONDS', 120);

/** Seconds until no autovacuum worker is in the bench database (at most SETTLE_S). */
async function settle(dataSource: DataSource): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < SETTLE_S * 1000) {
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'autovacuum worker'`);
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return Math.round((Date.now() - started) / 100) / 10;
}
const SERVER_URL = benchDatabaseServer();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

const ADMIN_KEY = `crd_bench_${randomBytes(24).toString('base64url')}`;
const KEK = randomBytes(32).toString('base64');
const PASSWORD = 'correct horse battery staple';

// ---------------------------------------------------------------- small helpers

const now = () => performance.now();
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Nearest-rank percentile of an unsorted sample. */
function pct(sample: number[], p: number): number {
  if (!sample.length) return NaN;
  const s = [...sample].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (sample: number[]) => pct(sample, 50);

/** Runs fn over 0..n-1 with at most `limit` in flight; rejects on the first failure. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** The commit measured, and whether the working tree had changes (other people's edits count too). */

function machine() {
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  return { nproc: cpus().length, cpu: cpuModel, ram_gib: round(totalmem() / 2 ** 30, 1), node: process.version };
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

export interface CpuFigures {
  wall_s: number;
  /** This Node process (the app and the bench client together). */
  node_cpu_s: number;
  /** Postgres backends connected to the bench database. */
  pg_backends_cpu_s: number;
  /** Postgres checkpointer, background writer, WAL writer (shared with anything else on the server). */
  pg_aux_cpu_s: number;
  /** Busy CPU of the whole machine (all cores) in the interval; minus the above = someone else. */
  machine_busy_cpu_s: number;
  others_cpu_s: number;
}

/** Server-wide counters over a measured interval: checkpoints force full-page images into the WAL. */
export interface ServerCounters {
  checkpoints: number;
  wal_mib: number;
}

const TICK_S = 0.01; // CLK_TCK = 100 on Linux x86-64
/** Marks the meter's own statements so the SQL profiler leaves them out. */
const METER_SQL = '/* bench-meter */';

function readTicks(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return undefined;
  }
}

/** Samples CPU time of this process, of the bench database's Postgres backends and of the machine. */
class CpuMeter {
  private readonly kinds = new Map<string, 'ours' | 'aux' | 'other'>();
  private base = new Map<string, number>();
  private last = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private counterSql?: string;
  private t0 = 0;
  private node0 = process.cpuUsage();
  private machine0 = 0;
  readonly available = existsSync('/proc/stat');

  constructor(
    private readonly database: string,
    private readonly dataSource?: DataSource,
  ) {}

  private classify(pid: string): 'ours' | 'aux' | 'other' {
    let kind = this.kinds.get(pid);
    if (kind) return kind;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      /* gone */
    }
    kind = !cmd.startsWith('postgres: ') ? 'other' : cmd.includes(` ${this.database} `) ? 'ours' : /: (checkpointer|background writer|walwriter)/.test(cmd) ? 'aux' : 'other';
    this.kinds.set(pid, kind);
    return kind;
  }

  private scan(first: boolean): void {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || this.classify(pid) === 'other') continue;
      const ticks = readTicks(pid);
      if (ticks === undefined) continue;
      if (!this.base.has(pid)) this.base.set(pid, first ? ticks : 0);
      this.last.set(pid, ticks);
    }
  }

  begin(): void {
    if (!this.available) return;
    this.kinds.clear();
    this.base = new Map();
    this.last = new Map();
    this.t0 = now();
    this.node0 = process.cpuUsage();
    this.machine0 = machineBusyTicks();
    this.scan(true);
    this.timer = setInterval(() => this.scan(false), 200);
  }

  end(): CpuFigures | undefined {
    if (!this.available) return undefined;
    clearInterval(this.timer);
    this.scan(false);
    const node = process.cpuUsage(this.node0);
    let ours = 0;
    let aux = 0;
    for (const [pid, ticks] of this.last) {
      const d = (ticks - (this.base.get(pid) ?? 0)) * TICK_S;
      if (this.kinds.get(pid) === 'ours') ours += d;
      else aux += d;
    }
    const nodeS = (node.user + node.system) / 1e6;
    const machine = (machineBusyTicks() - this.machine0) * TICK_S;
    return {
      wall_s: round((now() - this.t0) / 1000, 2),
      node_cpu_s: round(nodeS, 2),
      pg_backends_cpu_s: round(ours, 2),
      pg_aux_cpu_s: round(aux, 2),
      machine_busy_cpu_s: round(machine, 2),
      others_cpu_s: round(Math.max(0, machine - nodeS - ours - aux), 2),
    };
  }

  async measure<T>(work: () => Promise<T>): Promise<{ result: T; cpu?: CpuFigures; server?: ServerCounters }> {
    const before = await this.serverCounters();
    this.begin();
    try {
      const result = await work();
      const cpu = this.end();
      const after = await this.serverCounters();
      const server = before && after ? { checkpoints: after.checkpoints - before.checkpoints, wal_mib: round((after.wal_bytes - before.wal_bytes) / 2 ** 20, 1) } : undefined;
      return { result, cpu, server };
    } finally {
      clearInterval(this.timer);
    }
  }

  /** Server-wide: checkpoints done and WAL written (others' databases included). Undefined when unavailable. */
  private async serverCounters(): Promise<{ checkpoints: number; wal_bytes: number } | undefined> {
    if (!this.dataSource) return undefined;
    try {
      if (!this.counterSql) {
        // Postgres 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer.
        const [{ v }] = await this.dataSource.query(`${METER_SQL} SELECT current_setting('server_version_num')::int AS v`);
        const counters = v >= 170000 ? 'num_timed + num_requested FROM pg_stat_checkpointer' : 'checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter';
        const [sum, from] = counters.split(' FROM ');
        this.counterSql = `${METER_SQL} SELECT (${sum})::int AS checkpoints, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS wal_bytes FROM ${from}`;
      }
      const [row] = await this.dataSource.query(this.counterSql);
      return { checkpoints: row.checkpoints, wal_bytes: Number(row.wal_bytes) };
    } catch {
      return undefined;
    }
  }
}

// ---------------------------------------------------------------- HTTP onboarding

interface OnboardPhase {
  name: string;
  n: number;
  concurrency: number;
  with_password: boolean;
  present_before: number;
  wall_s: number;
  tenants_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  cpu?: CpuFigures;
  server?: ServerCounters;
  /** CPU milliseconds per onboarded tenant: this Node process, and the bench database's Postgres backends. */
  node_cpu_ms_per_tenant?: number;
  pg_cpu_ms_per_tenant?: number;
  /** Spare schemas in the pool when the phase started and when it ended (it is refilled meanwhile). */
  spares_before?: number;
  spares_after?: number;
}

interface PoolFill {
  before_phase: string;
  spares_made: number;
  wall_s: number;
  pg_cpu_ms_per_spare?: number;
  node_cpu_ms_per_spare?: number;
}

const spareCount = async (dataSource: DataSource): Promise<number> => (await dataSource.query('SELECT count(*)::int AS n FROM platform.tenant_spares'))[0].n;

/** Waits for the background refill to fill the pool (the bench does not make spares itself), and measures what it cost. */
async function waitForPool(dataSource: DataSource, meter: CpuMeter, beforePhase: string): Promise<PoolFill | undefined> {
  if (!SPARE_POOL) return undefined;
  const start = await spareCount(dataSource);
  const t0 = now();
  const { cpu } = await meter.measure(async () => {
    while ((await spareCount(dataSource)) < SPARE_POOL) {
      if (now() - t0 > 15 * 60_000) throw new Error(`the spare pool did not fill in 15 minutes (${await spareCount(dataSource)} of ${SPARE_POOL})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  const made = SPARE_POOL - start;
  const fill: PoolFill = {
    before_phase: beforePhase,
    spares_made: made,
    wall_s: round((now() - t0) / 1000, 2),
    pg_cpu_ms_per_spare: cpu && made ? round((cpu.pg_backends_cpu_s * 1000) / made, 1) : undefined,
    node_cpu_ms_per_spare: cpu && made ? round((cpu.node_cpu_s * 1000) / made, 1) : undefined,
  };
  if (made) log(`  pool: ${made} spare schemas made in ${fill.wall_s} s (pg CPU ${fill.pg_cpu_ms_per_spare} ms, node ${fill.node_cpu_ms_per_spare} ms per spare)`);
  return fill;
}

class Bench {
  private seq = 0;
  present = 0;

  constructor(
    private readonly url: string,
    private readonly runTag: string,
    private readonly meter: CpuMeter,
    private readonly dataSource?: DataSource,
  ) {}

  private async onboardOne(withPassword: boolean, label: string): Promise<number> {
    this.seq += 1;
    const slug = `b-${this.runTag}-${label}-${this.seq}`;
    const body = { slug, name: `Bench ${this.seq}`, admin: withPassword ? { email: `admin@${slug}.example`, password: PASSWORD } : { email: `admin@${slug}.example` } };
    const t0 = now();
    const res = await fetch(`${this.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const ms = now() - t0;
    if (res.status !== 201) throw new Error(`onboarding ${slug} answered ${res.status}: ${text.slice(0, 500)}`);
    const parsed = JSON.parse(text) as { status?: string; admin?: { status?: string } };
    const expected = withPassword ? 'active' : 'invited';
    if (parsed.status !== 'active' || parsed.admin?.status !== expected) throw new Error(`onboarding ${slug}: unexpected body ${text.slice(0, 300)}`);
    this.present += 1;
    return ms;
  }

  async phase(name: string, n: number, concurrency: number, withPassword: boolean, label: string): Promise<OnboardPhase> {
    const presentBefore = this.present;
    const sparesBefore = SPARE_POOL && this.dataSource ? await spareCount(this.dataSource) : undefined;
    const latencies: number[] = [];
    const t0 = now();
    const { cpu, server } = await this.meter.measure(() =>
      pool(n, concurrency, async () => {
        latencies.push(await this.onboardOne(withPassword, label));
      }),
    );
    const wall = (now() - t0) / 1000;
    return {
      name,
      n,
      concurrency,
      with_password: withPassword,
      present_before: presentBefore,
      wall_s: round(wall, 2),
      tenants_per_s: round(n / wall, 1),
      p50_ms: round(pct(latencies, 50)),
      p95_ms: round(pct(latencies, 95)),
      p99_ms: round(pct(latencies, 99)),
      max_ms: round(Math.max(...latencies)),
      mean_ms: round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      cpu,
      server,
      node_cpu_ms_per_tenant: cpu ? round((cpu.node_cpu_s * 1000) / n, 1) : undefined,
      pg_cpu_ms_per_tenant: cpu ? round((cpu.pg_backends_cpu_s * 1000) / n, 1) : undefined,
      spares_before: sparesBefore,
      spares_after: SPARE_POOL && this.dataSource ? await spareCount(this.dataSource) : undefined,
    };
  }
}

// ---------------------------------------------------------------- SQL profiler (bench-only monkey patch)

interface SqlStat {
  calls: number;
  total_ms: number;
}

/**
 * Times every statement sent through TypeORM's Postgres query runner (and pool acquisition),
 * grouped by a normalised statement head. Installed only around the profiled batches.
 */
class SqlProfiler {
  readonly stats = new Map<string, SqlStat>();
  private enabled = false;

  constructor(dataSource: DataSource, hasher: PasswordHasher) {
    const probe = dataSource.createQueryRunner();
    const proto = Object.getPrototypeOf(probe) as QueryRunner & { connect(): Promise<unknown> };
    void probe.release();
    const originalQuery = proto.query;
    const originalConnect = proto.connect;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    proto.query = async function (this: QueryRunner, sql: string, ...rest: unknown[]) {
      if (!self.enabled || sql.startsWith(METER_SQL)) return (originalQuery as any).call(this, sql, ...rest);
      const t0 = now();
      try {
        return await (originalQuery as any).call(this, sql, ...rest);
      } finally {
        self.add(SqlProfiler.classify(sql), now() - t0);
      }
    } as any;
    proto.connect = async function (this: QueryRunner & { databaseConnection?: unknown }) {
      if (!self.enabled || this.databaseConnection) return originalConnect.call(this);
      const t0 = now();
      try {
        return await originalConnect.call(this);
      } finally {
        self.add('(pool: acquire connection)', now() - t0);
      }
    } as any;
    const hash = hasher.hash.bind(hasher);
    hasher.hash = async (password: string) => {
      if (!self.enabled) return hash(password);
      const t0 = now();
      try {
        return await hash(password);
      } finally {
        self.add('(argon2id hash incl. semaphore wait)', now() - t0);
      }
    };
  }

  static classify(sql: string): string {
    const s = sql
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/"t_[0-9a-f]{32}"/g, '"t_…"');
    const rules: [RegExp, string][] = [
      [/^CREATE SCHEMA/i, 'CREATE SCHEMA'],
      [/^CREATE TABLE IF NOT EXISTS tenant_migrations/i, 'CREATE TABLE IF NOT EXISTS tenant_migrations'],
      [/^CREATE TABLE (\w+)/i, 'CREATE TABLE $1'],
      [/^CREATE (UNIQUE )?INDEX (\w+)/i, 'CREATE $1INDEX $2'],
      [/^SELECT pg_advisory_xact_lock_shared/i, 'advisory lock (shared)'],
      [/^SELECT pg_advisory_xact_lock/i, 'advisory lock (exclusive)'],
      [/^SELECT set_config\('search_path'/i, 'set search_path'],
      [/^SELECT t\.id, t\.slug, t\.name, t\.schema_name, t\.status, t\.pending_admin/i, 'SELECT tenant FOR UPDATE (provisioning)'],
      [/^SELECT 1 FROM platform\.tenants WHERE slug/i, 'SELECT slug taken (claim)'],
      [/^SELECT id, scopes, expires_at, revoked_at FROM platform\.api_keys/i, 'SELECT api key (guard)'],
      [/^INSERT INTO platform\.tenants/i, 'INSERT platform.tenants (claim)'],
      [/^INSERT INTO (\S+)/i, 'INSERT $1'],
      [/^UPDATE platform\.tenants SET status = 'active'/i, 'UPDATE tenant active'],
      [/^SELECT name FROM tenant_migrations/i, 'SELECT tenant_migrations'],
      [/^SELECT current_schema/i, 'SELECT current_schema()'],
      [/^SELECT t\.id/i, 'SELECT tenant response'],
    ];
    for (const [re, label] of rules) {
      const m = re.exec(s);
      if (m) return s.slice(0, m[0].length).replace(re, label).trim();
    }
    return s.slice(0, 60);
  }

  private add(key: string, ms: number): void {
    const st = this.stats.get(key) ?? { calls: 0, total_ms: 0 };
    st.calls += 1;
    st.total_ms += ms;
    this.stats.set(key, st);
  }

  async during<T>(work: () => Promise<T>): Promise<{ result: T; stats: Map<string, SqlStat> }> {
    this.stats.clear();
    this.enabled = true;
    try {
      const result = await work();
      return { result, stats: new Map(this.stats) };
    } finally {
      this.enabled = false;
    }
  }
}

function profileRows(stats: Map<string, SqlStat>, onboardings: number, wallMsPerOnboarding: number) {
  const rows = [...stats.entries()]
    .map(([what, s]) => ({ what, calls_per_onboarding: round(s.calls / onboardings, 2), ms_per_onboarding: round(s.total_ms / onboardings, 2) }))
    .sort((a, b) => b.ms_per_onboarding - a.ms_per_onboarding);
  const sqlMs = [...stats.entries()].filter(([k]) => !k.startsWith('(argon2')).reduce((a, [, s]) => a + s.total_ms, 0) / onboardings;
  const hashMs = (stats.get('(argon2id hash incl. semaphore wait)')?.total_ms ?? 0) / onboardings;
  return { rows, sql_ms_per_onboarding: round(sqlMs, 2), argon2_ms_per_onboarding: round(hashMs, 2), wall_ms_per_onboarding: round(wallMsPerOnboarding, 2) };
}

// ---------------------------------------------------------------- bench-only tenant migrations

class BenchMarker1900000000001 implements MigrationInterface {
  name = 'BenchMarker1900000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE bench_marker (id int PRIMARY KEY)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE bench_marker');
  }
}
function markerMigration(i: number): new () => MigrationInterface {
  if (i === 1) return BenchMarker1900000000001;
  const name = `BenchMarker${1900000000000 + i}`;
  const table = `bench_marker_${i}`;
  return class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${table}`);
    }
  };
}

interface MigrationRun {
  concurrency: number;
  tenants: number;
  migration: string;
  wall_s: number;
  tenants_per_s: number;
  failed: number;
  cpu?: CpuFigures;
  server?: ServerCounters;
}

/**
 * Phase C: the real TenantMigrator class, built with the app's own DataSource, transaction runner,
 * request context and config, and a migration set = real tenant migrations + bench markers.
 * Only the first MIGRATE_N tenants are live during the run: the others are set to `deleted` for its
 * duration (their schemas stay, so the catalogue is as large as with all tenants) and restored after.
 */
async function phaseC(
  app: NestFastifyApplication,
  dataSource: DataSource,
  meter: CpuMeter,
  concurrencies: number[],
): Promise<{ runs: MigrationRun[]; noop?: MigrationRun; live: number; present: number }> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const first = await dataSource.query(`SELECT id FROM platform.tenants WHERE status = 'active' ORDER BY id LIMIT $1`, [MIGRATE_N]);
  const lastId = first[first.length - 1].id as string;
  const [{ present }] = await dataSource.query(`SELECT count(*)::int AS present FROM platform.tenants`);
  const hidden: string[] = (await dataSource.query(`SELECT id FROM platform.tenants WHERE status = 'active' AND id > $1`, [lastId])).map((r: { id: string }) => r.id);
  await dataSource.query(`UPDATE platform.tenants SET status = 'deleted' WHERE id = ANY($1::uuid[])`, [hidden]);
  const runs: MigrationRun[] = [];
  let noop: MigrationRun | undefined;
  try {
    const [{ live }] = await dataSource.query(`SELECT count(*)::int AS live FROM platform.tenants WHERE status IN ('active', 'suspended', 'offboarding')`);
    const migrations = [...tenantMigrations.migrations];
    for (let i = 0; i < concurrencies.length; i++) {
      const marker = markerMigration(i + 1);
      migrations.push(marker);
      const set: MigrationSet = { historyTable: tenantMigrations.historyTable, migrations: [...migrations] };
      const migrator = new TenantMigrator(
        dataSource,
        app.get(TenantTransactionRunner),
        app.get(RequestContext),
        set,
        config,
        app.get(TenantStore),
        app.get(TenantLifecycleStore),
        app.get(TenantRoles),
      );
      const t0 = now();
      const { result: reports, cpu, server } = await meter.measure(() => migrator.migrateAll(concurrencies[i]));
      const wall = (now() - t0) / 1000;
      const failed = reports.filter((r) => r.error);
      const applied = reports.filter((r) => r.applied.length === 1 && r.applied[0] === (new marker().name ?? marker.name));
      if (failed.length) log(`  ! ${failed.length} tenant(s) failed, first: ${failed[0].error}`);
      if (applied.length !== live - failed.length) throw new Error(`expected ${live} tenants migrated, got ${applied.length}`);
      runs.push({
        concurrency: concurrencies[i],
        tenants: reports.length,
        migration: new marker().name ?? marker.name,
        wall_s: round(wall, 2),
        tenants_per_s: round(reports.length / wall, 1),
        failed: failed.length,
        cpu,
        server,
      });
      log(`  C: ${reports.length} tenants, concurrency ${concurrencies[i]}: ${round(wall, 2)} s (${round(reports.length / wall, 1)} tenants/s)`);
    }
    // Reference: a run with nothing pending (per-tenant transaction overhead only).
    const set: MigrationSet = { historyTable: tenantMigrations.historyTable, migrations: [...migrations] };
    const migrator = new TenantMigrator(
      dataSource,
      app.get(TenantTransactionRunner),
      app.get(RequestContext),
      set,
      config,
      app.get(TenantStore),
      app.get(TenantLifecycleStore),
      app.get(TenantRoles),
    );
    const t0 = now();
    const { result: reports, cpu, server } = await meter.measure(() => migrator.migrateAll(config.TENANT_MIGRATION_CONCURRENCY));
    const wall = (now() - t0) / 1000;
    noop = {
      cpu,
      server,
      concurrency: config.TENANT_MIGRATION_CONCURRENCY,
      tenants: reports.length,
      migration: '(nothing pending)',
      wall_s: round(wall, 2),
      tenants_per_s: round(reports.length / wall, 1),
      failed: reports.filter((r) => r.error).length,
    };
    log(`  C: ${reports.length} tenants, nothing pending, concurrency ${noop.concurrency}: ${noop.wall_s} s`);
    // Check where the marker tables landed: one per migrated tenant schema, none in platform/public.
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'bench_marker'`);
    const [{ stray }] = await dataSource.query(`SELECT count(*)::int AS stray FROM pg_tables WHERE tablename LIKE 'bench_marker%' AND schemaname IN ('platform', 'public')`);
    // `migrate` covers the spare schemas too: each has its marker table.
    const spares = await spareCount(dataSource);
    if (n !== live + spares || stray !== 0) throw new Error(`bench_marker tables: ${n} (expected ${live} + ${spares} spares), ${stray} in platform/public`);
    return { runs, noop, live, present };
  } finally {
    await dataSource.query(`UPDATE platform.tenants SET status = 'active' WHERE id = ANY($1::uuid[])`, [hidden]);
  }
}

// ---------------------------------------------------------------- reference: bare schema + migration + seed

interface ReferenceFigures {
  present: number;
  n: number;
  median_ms: { begin: number; create_schema: number; migrate: number; seed: number; commit: number; total: number };
  p95_total_ms: number;
}

/** CREATE SCHEMA + tenant migrations + seed in one transaction, straight on a pooled connection: no HTTP, no claim, no argon2. */
async function reference(dataSource: DataSource, encryption: KeyEncryption, passwordHash: string, present: number): Promise<ReferenceFigures> {
  const parts = { begin: [] as number[], create_schema: [] as number[], migrate: [] as number[], seed: [] as number[], commit: [] as number[], total: [] as number[] };
  const schemas: string[] = [];
  for (let i = 0; i < REFERENCE_N; i++) {
    const id = randomUUID();
    const schema = schemaNameFor(id);
    const key = await newSigningKey(encryption, id);
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      const t0 = now();
      await runner.startTransaction();
      await runner.query("SELECT set_config('search_path', $1, true)", [`${quoteSchema(schema)},platform`]);
      const t1 = now();
      await runner.query(`CREATE SCHEMA ${quoteSchema(schema)}`);
      const t2 = now();
      await applyPending(runner, tenantMigrations);
      const t3 = now();
      const uow = new UnitOfWork(runner.manager, { id, slug: `ref-${i}`, schema }, { source: 'bench', actor: 'bench' });
      await seedNewTenant(uow, { userId: randomUUID(), email: `ref-${i}@bench.example`, passwordHash, inviteTokenHash: null }, key);
      const t4 = now();
      await runner.commitTransaction();
      const t5 = now();
      schemas.push(schema);
      parts.begin.push(t1 - t0);
      parts.create_schema.push(t2 - t1);
      parts.migrate.push(t3 - t2);
      parts.seed.push(t4 - t3);
      parts.commit.push(t5 - t4);
      parts.total.push(t5 - t0);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }
  for (const s of schemas) await dataSource.query(`DROP SCHEMA ${quoteSchema(s)} CASCADE`);
  const m = (xs: number[]) => round(median(xs), 2);
  return {
    present,
    n: REFERENCE_N,
    median_ms: { begin: m(parts.begin), create_schema: m(parts.create_schema), migrate: m(parts.migrate), seed: m(parts.seed), commit: m(parts.commit), total: m(parts.total) },
    p95_total_ms: round(pct(parts.total, 95), 2),
  };
}

async function microbench(hasher: PasswordHasher, encryption: KeyEncryption) {
  const hashes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = now();
    await hasher.hash(PASSWORD);
    hashes.push(now() - t0);
  }
  const keys: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = now();
    await newSigningKey(encryption, randomUUID());
    keys.push(now() - t0);
  }
  return { argon2id_hash_p50_ms: round(median(hashes), 2), es256_keygen_p50_ms: round(median(keys), 2) };
}

// ---------------------------------------------------------------- database facts

async function databaseFacts(dataSource: DataSource) {
  const [{ version }] = await dataSource.query('SHOW server_version');
  const settings: { name: string; setting: string; unit: string | null }[] = await dataSource.query(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'wal_level', 'max_connections', 'max_locks_per_transaction')`,
  );
  return { server_version: version as string, settings: Object.fromEntries(settings.map((s) => [s.name, s.unit ? `${s.setting} ${s.unit}` : s.setting])) };
}

async function catalogueSize(dataSource: DataSource) {
  const [row] = await dataSource.query(
    `SELECT (SELECT count(*)::int FROM pg_class) AS pg_class_rows,
            (SELECT count(*)::int FROM pg_namespace WHERE nspname LIKE 't\\_%') AS tenant_schemas,
            pg_database_size(current_database()) AS db_bytes`,
  );
  return { pg_class_rows: row.pg_class_rows as number, tenant_schemas: row.tenant_schemas as number, db_mib: round(Number(row.db_bytes) / 2 ** 20, 1) };
}

// ---------------------------------------------------------------- output

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const server = new URL(SERVER_URL);
  server.pathname = `/credence_bench_${runId}`;
  const databaseUrl = server.toString();
  const redisPrefix = `credence-bench-${runId.replace(/_/g, '-')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credence-bench-'));
  const started = new Date();
  const load = [loadavg().map((x) => round(x, 2))];

  // NODE_ENV stays at its default: production mode only adds checks (required secrets, argon2 floor, no
  // OTP-to-log sender) and would need an SMTP server; the argon2 floor is asserted below instead.
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    CREDENCE_DATA_DIR: dataDir,
    CREDENCE_ADMIN_KEY: ADMIN_KEY,
    CREDENCE_KEY_ENCRYPTION_KEY: KEK,
    LOG_LEVEL: 'silent',
    TENANT_SPARE_POOL_SIZE: String(SPARE_POOL),
    // The refill is queued after each onboarding that takes a spare; the schedule only backs that up.
    TENANT_SPARE_REFILL_SECONDS: '10',
    // ARGON2_*, DB_POOL_*, TENANT_MIGRATION_CONCURRENCY: production defaults, deliberately not set.
  };
  const { config } = loadConfig(env);
  if (config.ARGON2_MEMORY_KIB < 19_456 || config.ARGON2_TIME_COST < 2) throw new Error('argon2 settings below the OWASP floor: this bench measures production costs');
  log(`credence onboarding bench ${runId}: database ${server.pathname.slice(1)}, redis prefix ${redisPrefix}`);
  log(
    `  argon2id m=${config.ARGON2_MEMORY_KIB} KiB t=${config.ARGON2_TIME_COST} p=1, max ${config.ARGON2_MAX_CONCURRENCY} in flight; pool max ${config.DB_POOL_MAX}; load ${load[0].join(' ')}`,
  );

  await ensureDatabase(databaseUrl);
  let app: NestFastifyApplication | undefined;
  const results: Record<string, unknown> = {};
  try {
    app = await createApp(config, 'bench', [AuthAppModule]);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const dataSource = app.get(DataSource);
    const hasher = app.get(PasswordHasher);
    const encryption = new KeyEncryption(KEK);
    const meter = new CpuMeter(server.pathname.slice(1), dataSource);
    const bench = new Bench(url, runId.slice(-4).replace(/_/g, ''), meter, dataSource);
    const poolFills: PoolFill[] = [];
    const fillPool = async (beforePhase: string) => {
      const f = await waitForPool(dataSource, meter, beforePhase);
      if (f) poolFills.push(f);
    };
    log(`  spare schema pool: ${SPARE_POOL || 'off'}`);
    const profiler = new SqlProfiler(dataSource, hasher);
    results.database = await databaseFacts(dataSource);

    // Warm-up: JIT, pool, first-call paths. Not counted in any figure (but the tenants exist).
    await bench.phase('warm-up', 5, 1, true, 'w');
    results.micro = await microbench(hasher, encryption);
    const sampleHash = await hasher.hash(PASSWORD);
    log(`  argon2id hash p50 ${(results.micro as any).argon2id_hash_p50_ms} ms, ES256 keygen p50 ${(results.micro as any).es256_keygen_p50_ms} ms`);
    results.reference_empty = await reference(dataSource, encryption, sampleHash, bench.present);

    const phases: OnboardPhase[] = [];
    const show = (p: OnboardPhase) =>
      log(
        `  ${p.name}: p50 ${p.p50_ms} ms, p95 ${p.p95_ms} ms, ${p.tenants_per_s} tenants/s (${p.n} in ${p.wall_s} s)` +
          (p.cpu
            ? `; CPU/tenant node ${p.node_cpu_ms_per_tenant} ms, pg ${p.pg_cpu_ms_per_tenant} ms; machine busy ${p.cpu.machine_busy_cpu_s} s of which others ${p.cpu.others_cpu_s} s`
            : '') +
          (p.server ? `; server: ${p.server.checkpoints} checkpoint(s), ${p.server.wal_mib} MiB WAL` : ''),
      );

    // Phase A
    await fillPool('A sequential');
    phases.push(await bench.phase('A sequential', ONBOARD_N, 1, true, 'a'));
    show(phases[phases.length - 1]);
    await fillPool('A concurrency');
    phases.push(await bench.phase(`A concurrency ${CONCURRENCY}`, ONBOARD_N, CONCURRENCY, true, 'a'));
    show(phases[phases.length - 1]);

    // Fill to PRESENT tenants, invite-only admins (no argon2), concurrency CONCURRENCY.
    const fillN = Math.max(0, PRESENT - bench.present);
    const fill = await bench.phase(`fill (no password: invite-only admin, no argon2) concurrency ${CONCURRENCY}`, fillN, CONCURRENCY, false, 'f');
    show(fill);
    results.catalogue_after_fill = await catalogueSize(dataSource);
    results.settled_after_fill_s = await settle(dataSource);
    log(`  after the fill: autovacuum of the bench database settled in ${results.settled_after_fill_s} s (at most ${SETTLE_S} s)`);

    // Phase B (its concurrent phase B_ROUNDS times: the figure the target names)
    await fillPool('B sequential');
    phases.push(await bench.phase('B sequential', ONBOARD_N, 1, true, 'b'));
    show(phases[phases.length - 1]);
    for (let round = 1; round <= B_ROUNDS; round++) {
      await fillPool('B concurrency');
      phases.push(await bench.phase(`B concurrency ${CONCURRENCY}${B_ROUNDS > 1 ? ` #${round}` : ''}`, ONBOARD_N, CONCURRENCY, true, 'b'));
      show(phases[phases.length - 1]);
    }
    results.reference_full = await reference(dataSource, encryption, sampleHash, bench.present);

    // Profile: where one onboarding spends its time, with PRESENT+ tenants present.
    const profiles: Record<string, unknown> = {};
    for (const [label, conc] of [
      ['sequential', 1],
      [`concurrency ${CONCURRENCY}`, CONCURRENCY],
    ] as const) {
      if (!PROFILE_N) break;
      await fillPool(`profile ${label}`);
      const { result, stats } = await profiler.during(() => bench.phase(`profile ${label}`, PROFILE_N, conc, true, 'p'));
      profiles[label] = { phase: result, ...profileRows(stats, PROFILE_N, result.mean_ms) };
      show(result);
    }
    results.profile = profiles;

    // Phase C (a full pool first: no spare is being made while the markers are counted)
    await fillPool('C');
    const c = await phaseC(app, dataSource, meter, MIGRATION_CONCURRENCY);
    results.migration = c;
    results.onboarding = phases;
    results.fill = fill;
    results.spare_pool = { size: SPARE_POOL, fills: poolFills };
    results.catalogue_end = await catalogueSize(dataSource);

    // ------------------------------------------------------------ summary
    load.push(loadavg().map((x) => round(x, 2)));
    const refE = results.reference_empty as ReferenceFigures;
    const refF = results.reference_full as ReferenceFigures;
    log('');
    log(
      table(
        ['phase', 'present', 'n', 'conc', 'p50 ms', 'p95 ms', 'tenants/s', 'node CPU ms/t', 'pg CPU ms/t', 'others CPU s', 'ckpts', 'spares start/end'],
        [...phases, fill].map((p) => [
          p.name.replace(/ \(.*\)/, ' (no argon2)'),
          p.present_before,
          p.n,
          p.concurrency,
          p.p50_ms,
          p.p95_ms,
          p.tenants_per_s,
          p.node_cpu_ms_per_tenant ?? '-',
          p.pg_cpu_ms_per_tenant ?? '-',
          p.cpu?.others_cpu_s ?? '-',
          p.server?.checkpoints ?? '-',
          p.spares_before === undefined ? '-' : `${p.spares_before}/${p.spares_after}`,
        ]),
      ),
    );
    log('');
    log(
      table(
        ['migration (1 new table)', 'tenants live', 'present', 'conc', 'seconds', 'tenants/s', 'node CPU s', 'pg CPU s', 'others CPU s', 'ckpts'],
        [...c.runs, ...(c.noop ? [c.noop] : [])].map((r) => [
          r.migration,
          r.tenants,
          c.present,
          r.concurrency,
          r.wall_s,
          r.tenants_per_s,
          r.cpu?.node_cpu_s ?? '-',
          r.cpu?.pg_backends_cpu_s ?? '-',
          r.cpu?.others_cpu_s ?? '-',
          r.server?.checkpoints ?? '-',
        ]),
      ),
    );
    log('');
    log(
      table(
        ['bare schema+migrate+seed (median ms)', 'present', 'BEGIN', 'CREATE SCHEMA', 'migrate', 'seed', 'COMMIT', 'total'],
        [refE, refF].map((r, i) => [
          i ? 'after B' : 'at start',
          r.present,
          r.median_ms.begin,
          r.median_ms.create_schema,
          r.median_ms.migrate,
          r.median_ms.seed,
          r.median_ms.commit,
          r.median_ms.total,
        ]),
      ),
    );
    const seqProfile = profiles.sequential as ReturnType<typeof profileRows> | undefined;
    if (seqProfile) {
      log('');
      log(
        `profile, sequential onboarding with ${(seqProfile as any).phase.present_before} present: wall ${seqProfile.wall_ms_per_onboarding} ms = argon2 ${seqProfile.argon2_ms_per_onboarding} + SQL ${seqProfile.sql_ms_per_onboarding} + other ${round(seqProfile.wall_ms_per_onboarding - seqProfile.argon2_ms_per_onboarding - seqProfile.sql_ms_per_onboarding, 2)} (HTTP, Nest, key generation, JS); top statements:`,
      );
      log(
        table(
          ['statement', 'calls', 'ms'],
          seqProfile.rows.slice(0, 12).map((r) => [r.what, r.calls_per_onboarding, r.ms_per_onboarding]),
        ),
      );
    }
    const targetB = phases.find((p) => p.name === 'B sequential');
    const concurrentB = phases.filter((p) => p.name.startsWith('B concurrency')).map((p) => p.p50_ms);
    const concurrentP50 = concurrentB.length ? [...concurrentB].sort((a, b) => a - b)[Math.floor((concurrentB.length - 1) / 2)] : undefined;
    const targetC = c.runs.find((r) => r.concurrency === 4) ?? c.runs[0];
    log('');
    log(
      `targets (issue 14 item 5), ${PRESENT} present: one at a time p50 <= 40 ms: ${targetB ? `${targetB.p50_ms} ms ${targetB.p50_ms <= 40 ? 'MET' : 'MISSED'}` : 'n/a'}; ` +
        `${CONCURRENCY} in flight p50 <= 150 ms: ${concurrentP50 !== undefined ? `${concurrentP50} ms (median of ${concurrentB.length}: ${concurrentB.join(', ')}) ${concurrentP50 <= 150 ? 'MET' : 'MISSED'}` : 'n/a'}; ` +
        `migrate ${MIGRATE_N} tenants <= 20 s: ${targetC ? `${targetC.wall_s} s at concurrency ${targetC.concurrency} ${targetC.wall_s <= 20 ? 'MET' : 'MISSED'}` : 'n/a'}`,
    );

    const out = {
      run_id: runId,
      source: sourceRevision(),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      machine: machine(),
      loadavg_start_end: load,
      knobs: { ONBOARD_N, PRESENT, MIGRATE_N, CONCURRENCY, MIGRATION_CONCURRENCY, PROFILE_N, REFERENCE_N },
      config: {
        argon2: { memory_kib: config.ARGON2_MEMORY_KIB, time_cost: config.ARGON2_TIME_COST, max_concurrency: config.ARGON2_MAX_CONCURRENCY },
        db_pool_max: config.DB_POOL_MAX,
        db_pool_max_uses: config.DB_POOL_MAX_USES,
        tenant_migration_concurrency_default: config.TENANT_MIGRATION_CONCURRENCY,
      },
      ...results,
    };
    const file = writeResults('onboarding', started, runId, out);
    log(`\nraw figures: ${file}`);
  } finally {
    if (app) await app.close().catch((err) => log(`app close failed: ${err}`));
    if (KEEP_DB) log(`kept database ${databaseUrl} (BENCH_KEEP_DB=1)`);
    else await dropDatabase(databaseUrl).catch((err) => log(`drop database failed: ${err}`));
    await cleanRedis(REDIS_URL, redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const target = remoteTarget();
(target ? runRemote(target, { ONBOARD_N, PRESENT, CONCURRENCY, SETTLE_S: int('BENCH_SETTLE_SECONDS', 10) }) : main()).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`onboarding bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
