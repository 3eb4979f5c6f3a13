/**
 * One measured phase of the OAuth bench: a forked load client (flow-client.ts), a warm-up, then one
 * window with CPU per completed operation read from /proc. The app is either this process (Node is
 * this process's CPU; SQL and Redis round trips are counted) or a server process of its own (Node is
 * its primary and workers; round trips are not seen from here).
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuMeter, CpuSplit, round, sleep, Window } from '../auth/shared';
import { profileWindow, sent, traceReport } from '../shared/bench-kit';
import type { ServerProcess } from '../shared/server-process';
import type { FlowInit, FlowMessage } from './flow-client';

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Every load client still running (killed on the way out). */
export const children = new Set<ChildProcess>();

/** A forked flow-client.ts: send a message, await the answer of a type. */
export async function startClient(init: FlowInit) {
  const proc = fork(join(__dirname, 'flow-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  const ask = <T>(m: FlowMessage, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (r: { type: string; message?: string }) => {
        if (r.type !== answer && r.type !== 'error') return;
        proc.off('message', on);
        if (r.type === 'error') reject(new Error(`load client failed: ${r.message}`));
        else resolve(r as T);
      };
      proc.on('message', on);
      proc.send(m);
    });
  await ask(init, 'ready');
  return {
    pid: proc.pid!,
    mint: (codes: number, concurrency: number) => ask<{ codes: number; seconds: number; per_s: number }>({ cmd: 'mint', codes, concurrency }, 'minted'),
    start: (ratePerS?: number) => void proc.send({ cmd: 'start', ratePerS } satisfies FlowMessage),
    snapshot: () => ask<{ window: Window; left: number }>({ cmd: 'snapshot' }, 'window'),
    stop: () => ask<{ window: Window }>({ cmd: 'stop' }, 'stopped'),
  };
}
export type LoadClient = Awaited<ReturnType<typeof startClient>>;

/** Write-like system calls (write, writev: socket writes here) the processes made so far, from /proc/<pid>/io; 0 where unreadable. */
function writeCalls(pids: (number | 'self')[]): number {
  let n = 0;
  for (const pid of pids) {
    try {
      n += Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone, or not Linux
    }
  }
  return n;
}

export interface PhaseOptions {
  database: string;
  warmS: number;
  seconds: number;
  /** Open loop at this rate; closed loops otherwise. */
  ratePerS?: number;
  /** The app as a process of its own; the app in this process otherwise. */
  server?: ServerProcess;
  /** BENCH_PROFILE=1: a CPU profile of this process over the window (in-process phases only), named so. */
  profileName?: string;
}

/** Warm-up, then one measured window with CPU (and, in-process, round trips) per completed operation. */
export async function measure(c: LoadClient, o: PhaseOptions) {
  const server = o.server;
  // In-process the app is this process and the load client a child; a server process is read as the children instead.
  const meter = new CpuMeter(o.database, () => (server ? server.pids() : [c.pid]));
  c.start(o.ratePerS);
  await sleep(o.warmS * 1000);
  await c.snapshot();
  const from = { ...sent };
  traceReport(1); // BENCH_TRACE=1: count from here
  const stopProfile = !server && o.profileName ? profileWindow(o.profileName) : undefined;
  const app = (): (number | 'self')[] => (server ? server.pids() : ['self']);
  const writes0 = writeCalls(app());
  meter.begin();
  await sleep(o.seconds * 1000);
  const { window, left } = await c.snapshot();
  const cpu = meter.end();
  const writes = writeCalls(app()) - writes0;
  // Counted now: stopping waits for the calls in flight, a paced run's whole backlog, which is not the window's work.
  const to = { ...sent };
  const ops = Math.max(1, window.ok);
  const trace = !server && process.env.BENCH_TRACE === '1' ? traceReport(ops) : undefined;
  const profile = await stopProfile?.();
  await c.stop();
  if (trace !== undefined) log(`   statements and commands per operation (BENCH_TRACE):\n${trace}`);
  const ms = (s: number | undefined) => (s === undefined ? undefined : round((s * 1000) / ops, 3));
  const perOp = {
    ...(server ? {} : { pg_statements: round((to.pg - from.pg) / ops, 2), redis_commands: round((to.redis - from.redis) / ops, 2) }),
    /** The app's write system calls (sockets to the client, Postgres, Redis): each costs the writer the receiver's side of loopback TCP too. */
    app_write_syscalls: round(writes / ops, 2),
    cpu_ms: {
      node: ms(server ? cpu?.children_s : cpu?.app_s),
      postgres: ms(cpu?.pg_s),
      redis: ms(cpu?.redis_s),
      load_client: ms(server ? window.cpu_s : cpu?.children_s),
    },
  };
  return { window, per_op: perOp, cpu, codes_left: left, ...(profile ? { profile } : {}) };
}
export type Measured = Awaited<ReturnType<typeof measure>>;

export const showWindow = (w: Window) =>
  `${w.per_s}/s (${w.ok} ok, ${w.errors} errors${w.errors ? ` ${JSON.stringify(w.error_kinds)}` : ''}), p50 ${w.p50_ms} ms, p99 ${w.p99_ms} ms, max ${w.max_ms} ms` +
  (w.in_flight !== undefined ? `, ${w.in_flight} in flight at the end` : '');

export const showPerOp = (p: Measured['per_op'], cpu?: CpuSplit) =>
  `per op: Node ${p.cpu_ms.node} ms + Postgres ${p.cpu_ms.postgres} ms + Redis ${p.cpu_ms.redis} ms CPU (load client ${p.cpu_ms.load_client} ms)` +
  (p.pg_statements !== undefined ? `, ${p.pg_statements} SQL statements, ${p.redis_commands} Redis commands` : '') +
  `, ${p.app_write_syscalls} write syscalls by the app` +
  `; others on the machine ${cpu?.others_s ?? '?'} CPU-s`;

/** Codes for a window at `ratePerS` after the warm-up, with a tenth to spare (codes live 60 s). */
export const codesFor = (ratePerS: number, warmS: number, seconds: number) => Math.ceil(ratePerS * (warmS + seconds) * 1.1) + 100;
