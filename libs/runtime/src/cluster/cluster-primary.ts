import cluster, { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { answerClusterMetrics } from '@credence/observability';

/** A worker that lived this long before dying counts as a fresh failure, not one of a crash loop. */
const STABLE_AFTER_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** Longer than a worker's own deadline (10 s after SIGTERM), so a worker that hangs is the worker's doing. */
const STOP_DEADLINE_MS = 15_000;

export interface ClusterOptions {
  workers: number;
  /** The environment every worker starts with (the primary's, with what it resolved: DATABASE_URL). */
  env: Record<string, string | undefined>;
  log: Logger;
}

/**
 * The primary of `CREDENCE_WORKERS=n`: forks n workers that share one listening port (node:cluster
 * hands connections out round-robin), restarts a worker that dies with a growing delay, and on
 * SIGTERM or SIGINT passes SIGTERM on and waits until every worker has closed. It runs no app of
 * its own: no pool, no relay, no queue worker. Resolves with the exit code the process should end with.
 */
export function runClusterPrimary(o: ClusterOptions): Promise<number> {
  let stopping = false;
  let started = false;
  let crashes = 0;
  const restarts = new Set<NodeJS.Timeout>();
  const bornAt = new Map<number, number>();
  const listening = new Set<number>();
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));

  const fork = (): Worker => {
    const worker = cluster.fork(o.env);
    bornAt.set(worker.id, Date.now());
    return worker;
  };

  const stopAll = (reason: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    for (const t of restarts) clearTimeout(t);
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    o.log.info({ workers: alive.length }, `${reason}: stopping the workers`);
    if (!alive.length) return resolveExit(code);
    const deadline = setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
      o.log.error('workers did not stop in time: killed');
      resolveExit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    for (const w of alive) w.process.kill('SIGTERM');
    let worst = code;
    cluster.on('exit', (_worker, workerCode, signal) => {
      // A worker that stopped cleanly exits 0 or re-raises the signal it got (Nest's shutdown hooks).
      if (workerCode !== 0 && signal !== 'SIGTERM' && signal !== 'SIGINT') worst = 1;
      if (Object.values(cluster.workers ?? {}).some((w) => w && !w.isDead())) return;
      clearTimeout(deadline);
      resolveExit(worst);
    });
  };

  cluster.on('listening', (worker) => {
    listening.add(worker.id);
    if (started || listening.size < o.workers) return;
    started = true;
    o.log.info({ workers: o.workers }, `all ${o.workers} workers are listening`);
  });

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    const lived = Date.now() - (bornAt.get(worker.id) ?? Date.now());
    bornAt.delete(worker.id);
    if (stopping) return;
    if (!started) {
      // A worker that cannot start (its reason is on stderr) would fail the same way again.
      o.log.error({ worker_pid: worker.process.pid, code, signal }, 'a worker exited during start-up');
      return stopAll('start-up failed', 1);
    }
    crashes = lived >= STABLE_AFTER_MS ? 1 : crashes + 1;
    const delay = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (crashes - 1));
    o.log.warn({ worker_pid: worker.process.pid, code, signal, lived_ms: lived, restart_in_ms: delay }, 'a worker died: starting another');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delay);
    restarts.add(timer);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(signal, 0));
  answerClusterMetrics(() => [...listening].map((id) => cluster.workers?.[id]).filter((w): w is Worker => !!w && w.isConnected()));
  for (let i = 0; i < o.workers; i++) fork();
  return exited;
}
