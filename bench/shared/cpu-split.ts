import { Client as PgClient } from 'pg';
import { machineBusyTicks, ticksOf, TICK_MS } from './bench-kit';

/**
 * CPU per part of a pipeline over a window, for benches whose parts are separate processes (Node
 * processes, Postgres backends, redis-server). Linux only (/proc); elsewhere every part reads 0.
 */

/** A client backend of a database, or one of Postgres's own background processes (walwriter, checkpointer...). */
export interface PgProcess {
  pid: number;
  application_name: string;
  backend_type: string;
}

/** Postgres processes: the client backends of the database at `databaseUrl` plus the server's background processes. */
export async function postgresProcesses(databaseUrl: string): Promise<PgProcess[]> {
  const pg = new PgClient({ connectionString: databaseUrl, application_name: 'bench-cpu-split' });
  await pg.connect();
  try {
    const { rows } = await pg.query<PgProcess>(
      `SELECT pid, coalesce(application_name, '') AS application_name, backend_type FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (datname = current_database() OR backend_type NOT IN ('client backend', 'autovacuum worker'))`,
    );
    return rows;
  } finally {
    await pg.end();
  }
}

/** A part of the pipeline: a name and how to find its processes (asked again at the window's end). */
export type Part = [name: string, pids: () => number[] | Promise<number[]>];

export interface CpuSplit {
  wall_s: number;
  /** The whole machine's busy CPU over the window, ms. */
  machine_busy_ms: number;
  /** CPU ms per part, plus `others`: the machine's busy time no part accounts for. */
  parts_ms: Record<string, number>;
}

/**
 * Starts a window: reads each part's processes and their CPU now. `stop()` reads them again; a
 * process that appeared meanwhile counts from its start (a pooled connection opened during the
 * window), one that died meanwhile up to its last reading (they are read every 250 ms).
 */
export async function startCpuSplit(parts: Part[]): Promise<{ stop(): Promise<CpuSplit> }> {
  const t0 = performance.now();
  const machine0 = machineBusyTicks();
  const base = new Map<number, number>();
  for (const [, find] of parts) for (const pid of await find()) base.set(pid, ticksOf(pid));
  const last = new Map(base);
  const read = (pid: number) => {
    const t = ticksOf(pid) || (last.get(pid) ?? 0);
    last.set(pid, t);
    return t;
  };
  const timer = setInterval(() => [...last.keys()].forEach(read), 250);
  return {
    async stop() {
      clearInterval(timer);
      const machine = (machineBusyTicks() - machine0) * TICK_MS;
      const parts_ms: Record<string, number> = {};
      const counted = new Set<number>();
      for (const [name, find] of parts) {
        let ms = 0;
        for (const pid of await find()) {
          if (counted.has(pid)) continue; // a process belongs to the first part that names it
          counted.add(pid);
          ms += (read(pid) - (base.get(pid) ?? 0)) * TICK_MS;
        }
        parts_ms[name] = ms;
      }
      parts_ms.others = Math.max(0, machine - Object.values(parts_ms).reduce((a, b) => a + b, 0));
      return { wall_s: Math.round(performance.now() - t0) / 1000, machine_busy_ms: machine, parts_ms };
    },
  };
}

/**
 * Samples what the database's active client backends wait on, every `everyMs`, from a connection of its
 * own: counts per `wait_event_type/wait_event` (`CPU` when a backend runs and waits on nothing), split
 * by `label(application_name)`. Idle backends are not counted; `idle in transaction` ones are (their
 * transaction holds its locks while the client thinks).
 */
export async function sampleWaitEvents(databaseUrl: string, label: (applicationName: string) => string | undefined, everyMs = 20): Promise<{ stop(): Promise<WaitSamples> }> {
  const pg = new PgClient({ connectionString: databaseUrl, application_name: 'bench-wait-sampler' });
  await pg.connect();
  const counts: Record<string, Record<string, number>> = {};
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await pg.query<{ application_name: string; state: string; wait: string }>(
        `SELECT application_name, state, coalesce(wait_event_type || '/' || wait_event, 'CPU') AS wait FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state NOT IN ('idle', 'disabled')`,
      );
      samples++;
      for (const r of rows) {
        const who = label(r.application_name);
        if (!who) continue;
        const key = r.state === 'active' ? r.wait : `${r.wait} (${r.state})`;
        (counts[who] ??= {})[key] = (counts[who][key] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await pg.end();
      const sorted = Object.fromEntries(Object.entries(counts).map(([who, c]) => [who, Object.fromEntries(Object.entries(c).sort((a, b) => b[1] - a[1]))]));
      return { samples, every_ms: everyMs, per_part: sorted };
    },
  };
}

export interface WaitSamples {
  samples: number;
  every_ms: number;
  /** Per part: how many times a backend was seen in each wait (sum over backends and samples). */
  per_part: Record<string, Record<string, number>>;
}

/** µs of CPU per event for each part, from a window's ms. */
export function perEvent(split: CpuSplit, events: number): Record<string, number> {
  const per = (ms: number) => Math.round((ms * 1000) / Math.max(1, events));
  return { ...Object.fromEntries(Object.entries(split.parts_ms).map(([k, ms]) => [k, per(ms)])), machine_busy: per(split.machine_busy_ms) };
}
