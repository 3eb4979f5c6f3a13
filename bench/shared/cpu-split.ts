import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Client } from 'pg';

/**
 * Where a benchmark's CPU goes besides its own process: the Postgres backends serving its database
 * and the Redis server, read from /proc (clock ticks of 10 ms) at the start and end of a window. The
 * backends are those of the bench's own database, so other work on a shared Postgres is not counted;
 * Postgres's shared processes (WAL writer, checkpointer) and Redis are shared with whatever else runs.
 */
const TICK_MS = 10;

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0; // gone, or not readable
  }
}

function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

export interface CpuSample {
  backends: Map<number, number>;
  redis: number;
}

export class CpuSplit {
  private client?: Client;

  constructor(private readonly databaseUrl: string) {}

  async sample(): Promise<CpuSample> {
    if (!this.client) {
      this.client = new Client({ connectionString: this.databaseUrl });
      await this.client.connect();
    }
    const rows = (await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows;
    return { backends: new Map(rows.map((r) => [r.pid, ticksOf(r.pid)])), redis: pidsNamed('redis-server').reduce((s, p) => s + ticksOf(p), 0) };
  }

  /** CPU ms of the database's backends (those alive at both ends) and of Redis between two samples. */
  static between(a: CpuSample, b: CpuSample): { postgres_ms: number; redis_ms: number } {
    let pg = 0;
    for (const [pid, t] of b.backends) pg += t - (a.backends.get(pid) ?? t);
    return { postgres_ms: pg * TICK_MS, redis_ms: (b.redis - a.redis) * TICK_MS };
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
  }
}

/** A CPU profile of this process over one window (BENCH_CPU_PROFILE=dir), for `node --cpu-prof`-like analysis of the measured part only. */
export class WindowProfiler {
  private session?: Session;

  constructor(private readonly dir: string | undefined) {}

  async start(): Promise<void> {
    if (!this.dir) return;
    this.session = new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.start');
  }

  async stop(name: string): Promise<string | undefined> {
    if (!this.session || !this.dir) return undefined;
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    this.session.disconnect();
    this.session = undefined;
    const file = `${this.dir}/${name}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }

  private post(method: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.session!.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  }
}
