/**
 * Helpers shared by the auth bench (auth.bench.ts) and its child processes (load-client.ts):
 * closed-loop and paced workload runners with windowed counters, percentiles, and /proc CPU readings.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { machineBusyTicks } from '../shared/bench-kit';

export const now = () => performance.now();
export const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an unsorted sample. */
export function pct(sample: number[], p: number): number {
  if (!sample.length) return NaN;
  const s = Float64Array.from(sample).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function median(xs: number[]): number {
  return pct(xs, 50);
}

/** What a workload did between two snapshots. */
export interface Window {
  ms: number;
  ok: number;
  errors: number;
  /** Error kinds (HTTP status or message head) and how often. */
  error_kinds: Record<string, number>;
  per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** CPU of the process that ran the workload (user + system), in seconds, over the window. */
  cpu_s: number;
  /** Paced workloads: calls started but not settled when the window closed (a backlog the percentiles do not show yet). */
  in_flight?: number;
}

/**
 * Runs `fn` in `concurrency` closed loops (each awaits its call, then starts the next) or, when
 * `ratePerS` is given, starts calls on a fixed schedule regardless of completions (open loop).
 * Latency is measured per call from its start to its settlement; a paced workload started with
 * `fromSchedule` measures from the call's scheduled time instead, so a late start (this process's
 * event loop held up, a timer that fired late) counts as the latency it is (no coordinated omission).
 */
export class Workload {
  private running = false;
  private inFlight = new Set<Promise<void>>();
  private lat: number[] = [];
  private ok = 0;
  private errors = 0;
  private kinds: Record<string, number> = {};
  private t0 = now();
  private cpu0 = process.cpuUsage();
  private loops: Promise<void>[] = [];
  private timer?: NodeJS.Timeout;

  private readonly ended = new Set<number>();
  /** Successful calls since start (never reset): for progress checks. */
  total = 0;

  /** `fn(seq, loop)`: loop is the closed loop's index (-1 when paced). Throw `{fatal: true}` to end that loop. */
  constructor(private readonly fn: (seq: number, loop: number) => Promise<void>) {}

  /** Closed loops that ended on a fatal error. */
  get endedLoops(): number {
    return this.ended.size;
  }

  private async once(seq: number, loop: number, t = now()): Promise<void> {
    try {
      await this.fn(seq, loop);
      this.lat.push(now() - t);
      this.ok++;
      this.total++;
    } catch (err) {
      this.errors++;
      const kind = (err as { kind?: string }).kind ?? String((err as Error)?.message ?? err).slice(0, 80);
      this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
      if ((err as { fatal?: boolean }).fatal) this.ended.add(loop);
    }
  }

  start(concurrency: number, ratePerS?: number, { fromSchedule = false } = {}): void {
    this.running = true;
    this.snapshot();
    if (ratePerS) {
      let started = 0;
      const begin = now();
      this.timer = setInterval(() => {
        const due = Math.floor(((now() - begin) / 1000) * ratePerS);
        while (started < due) {
          const scheduled = fromSchedule ? begin + (started * 1000) / ratePerS : undefined;
          const p: Promise<void> = this.once(started++, -1, scheduled).finally(() => this.inFlight.delete(p));
          this.inFlight.add(p);
        }
      }, 1);
      return;
    }
    let seq = 0;
    this.loops = Array.from({ length: concurrency }, async (_, loop) => {
      while (this.running && !this.ended.has(loop)) await this.once(seq++, loop);
    });
  }

  /** Counters since the previous snapshot (or start), then resets them. */
  snapshot(): Window {
    const t = now();
    const cpu = process.cpuUsage(this.cpu0);
    const ms = t - this.t0;
    const w: Window = {
      ms: round(ms, 0),
      ok: this.ok,
      errors: this.errors,
      error_kinds: this.kinds,
      per_s: round((this.ok * 1000) / ms, 1),
      p50_ms: round(pct(this.lat, 50), 3),
      p90_ms: round(pct(this.lat, 90), 3),
      p99_ms: round(pct(this.lat, 99), 3),
      max_ms: round(pct(this.lat, 100), 3),
      cpu_s: round((cpu.user + cpu.system) / 1e6, 2),
      ...(this.timer ? { in_flight: this.inFlight.size } : {}),
    };
    this.t0 = t;
    this.cpu0 = process.cpuUsage();
    this.lat = [];
    this.ok = 0;
    this.errors = 0;
    this.kinds = {};
    return w;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    await Promise.all(this.loops);
    await Promise.all([...this.inFlight]);
  }
}

/** Sums windows of several processes measured over the same interval. */
export function combine(ws: Window[]): Window & { processes: number } {
  const ms = Math.max(...ws.map((w) => w.ms));
  const ok = ws.reduce((a, w) => a + w.ok, 0);
  const kinds: Record<string, number> = {};
  for (const w of ws) for (const [k, n] of Object.entries(w.error_kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  return {
    processes: ws.length,
    ms,
    ok,
    errors: ws.reduce((a, w) => a + w.errors, 0),
    error_kinds: kinds,
    per_s: round(
      ws.reduce((a, w) => a + w.per_s, 0),
      1,
    ),
    // Percentiles of the union are not derivable from per-process ones: report the worst process.
    p50_ms: Math.max(...ws.map((w) => w.p50_ms)),
    p90_ms: Math.max(...ws.map((w) => w.p90_ms)),
    p99_ms: Math.max(...ws.map((w) => w.p99_ms)),
    max_ms: Math.max(...ws.map((w) => w.max_ms)),
    cpu_s: round(
      ws.reduce((a, w) => a + w.cpu_s, 0),
      2,
    ),
  };
}

// ---------------------------------------------------------------- /proc CPU accounting

const TICK_S = 0.01; // CLK_TCK = 100 on Linux x86-64

/** SCHED_IDLE in /proc/<pid>/task/<tid>/stat's `policy` field. */
const SCHED_IDLE = 5;

/** Busy ticks of each thread of this process that runs at lowered priority (SCHED_IDLE or a positive nice): the password hashers. */
function hashingThreadTicks(): Map<string, number> {
  const found = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return found; // not Linux
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[i] is field i + 3 of proc(5): utime 14, stime 15, nice 19, policy 41.
      if (Number(f[38]) === SCHED_IDLE || Number(f[16]) > 0) found.set(tid, Number(f[11]) + Number(f[12]));
    } catch {
      /* the thread ended */
    }
  }
  return found;
}

export function procTicks(pid: number | string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

export interface CpuSplit {
  wall_s: number;
  /** Busy CPU-seconds of the whole machine (all cores). */
  machine_busy_s: number;
  /** The bench process (the app server and in-process loops). */
  app_s: number;
  /**
   * Of app_s, the threads that hash passwords: those under SCHED_IDLE or niced (PasswordHasher lowers
   * its threads' priority; nothing else in the process does). The rest of app_s is the event loop and
   * Node's own helpers.
   */
  app_hashing_s: number;
  /** The bench's child processes (load generators, extra verify processes). */
  children_s: number;
  /** Postgres backends connected to the bench database. */
  pg_s: number;
  /** redis-server (shared with anything else using it). */
  redis_s: number;
  /** Everything else on the machine: other people's benches and tests. */
  others_s: number;
}

/** Samples CPU time per group of processes over an interval (Linux only; undefined elsewhere). */
export class CpuMeter {
  private readonly available = existsSync('/proc/stat');
  private kinds = new Map<string, 'pg' | 'redis' | 'other'>();
  private base = new Map<string, number>();
  private last = new Map<string, number>();
  private childBase = new Map<number, number>();
  private childLast = new Map<number, number>();
  private hashingBase = new Map<string, number>();
  private hashingLast = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private self0 = process.cpuUsage();
  private machine0 = 0;

  constructor(
    private readonly database: string,
    private readonly children: () => number[],
  ) {}

  private classify(pid: string): 'pg' | 'redis' | 'other' {
    let k = this.kinds.get(pid);
    if (k) return k;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      /* gone */
    }
    k = cmd.startsWith('postgres: ') && cmd.includes(` ${this.database} `) ? 'pg' : cmd.startsWith('redis-server') || cmd.includes('/redis-server') ? 'redis' : 'other';
    this.kinds.set(pid, k);
    return k;
  }

  private scan(first: boolean): void {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || this.classify(pid) === 'other') continue;
      const t = procTicks(pid);
      if (t === undefined) continue;
      if (!this.base.has(pid)) this.base.set(pid, first ? t : 0);
      this.last.set(pid, t);
    }
    for (const pid of this.children()) {
      const t = procTicks(pid);
      if (t === undefined) continue;
      if (!this.childBase.has(pid)) this.childBase.set(pid, first ? t : 0);
      this.childLast.set(pid, t);
    }
    for (const [tid, t] of hashingThreadTicks()) {
      if (!this.hashingBase.has(tid)) this.hashingBase.set(tid, first ? t : 0);
      this.hashingLast.set(tid, t);
    }
  }

  begin(): void {
    if (!this.available) return;
    this.kinds = new Map();
    this.base = new Map();
    this.last = new Map();
    this.childBase = new Map();
    this.childLast = new Map();
    this.hashingBase = new Map();
    this.hashingLast = new Map();
    this.t0 = now();
    this.self0 = process.cpuUsage();
    this.machine0 = machineBusyTicks();
    this.scan(true);
    this.timer = setInterval(() => this.scan(false), 250);
  }

  end(): CpuSplit | undefined {
    if (!this.available) return undefined;
    clearInterval(this.timer);
    this.scan(false);
    const self = process.cpuUsage(this.self0);
    let pg = 0;
    let redis = 0;
    for (const [pid, t] of this.last) {
      const d = (t - (this.base.get(pid) ?? 0)) * TICK_S;
      if (this.kinds.get(pid) === 'pg') pg += d;
      else redis += d;
    }
    let children = 0;
    for (const [pid, t] of this.childLast) children += (t - (this.childBase.get(pid) ?? 0)) * TICK_S;
    let hashing = 0;
    for (const [tid, t] of this.hashingLast) hashing += (t - (this.hashingBase.get(tid) ?? 0)) * TICK_S;
    const app = (self.user + self.system) / 1e6;
    const machine = (machineBusyTicks() - this.machine0) * TICK_S;
    return {
      wall_s: round((now() - this.t0) / 1000, 2),
      machine_busy_s: round(machine, 2),
      app_s: round(app, 2),
      app_hashing_s: round(Math.min(hashing, app), 2),
      children_s: round(children, 2),
      pg_s: round(pg, 2),
      redis_s: round(redis, 2),
      others_s: round(Math.max(0, machine - app - children - pg - redis), 2),
    };
  }
}
