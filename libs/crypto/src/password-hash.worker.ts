/**
 * The worker-thread side of PasswordHasher. argon2 runs synchronously on this thread, whose priority
 * the pool lowered when it started it: the async functions of @node-rs/argon2 would hand the work to
 * libuv's shared thread pool instead, at normal priority. Under ARGON2_SCHED_IDLE the thread also moves
 * itself to SCHED_IDLE when it loads. Imports nothing of Nest, so a worker loads quickly.
 */
import { Algorithm, hashSync, verifySync } from '@node-rs/argon2';
import { workerData } from 'piscina';
import { idleThisThread } from './idle-thread';

/** What PasswordHasher passes to each of its threads. */
export interface HashWorkerData {
  schedIdle: boolean;
}

if ((workerData as HashWorkerData | undefined)?.schedIdle) idleThisThread();

export type HashTask = { op: 'hash'; password: string; memoryCost: number; timeCost: number } | { op: 'verify'; hashed: string; password: string };

export default function run(task: HashTask): string | boolean {
  if (task.op === 'verify') return verifySync(task.hashed, task.password);
  return hashSync(task.password, { algorithm: Algorithm.Argon2id, memoryCost: task.memoryCost, timeCost: task.timeCost, parallelism: 1 });
}
