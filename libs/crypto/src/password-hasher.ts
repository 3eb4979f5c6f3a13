import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import type { HashTask, HashWorkerData } from './password-hash.worker';

/** Built, the worker is the .js beside this file; from sources (jest, the benches) the .ts, which the worker compiles with swc. */
const WORKER = join(__dirname, `password-hash.worker${extname(__filename)}`);
const RETRY_AFTER_SECONDS = '1';

/**
 * argon2id with OWASP parameters by default (m = 19 MiB, t = 2, p = 1); lower only in tests.
 *
 * Hashes run on ARGON2_MAX_CONCURRENCY worker threads of their own (piscina), each lowered to
 * ARGON2_NICE when it starts and, under ARGON2_SCHED_IDLE (Linux), to SCHED_IDLE, so a flood of
 * sign-ins takes only the CPU that the event loop (token checks, refreshes, the sign-ins' own
 * requests) and Postgres leave over, and gives a core back the moment either wakes up. At most ARGON2_QUEUE
 * hashes wait for a thread; past that the caller gets 503 service.unavailable with Retry-After
 * instead of a wait that grows with the flood. Threads start on first use and stop with the app.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  private readonly logger = new Logger('PasswordHasher');
  private pool?: Piscina<HashTask, string | boolean>;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async hash(password: string): Promise<string> {
    return (await this.run({ op: 'hash', password, memoryCost: this.config.ARGON2_MEMORY_KIB, timeCost: this.config.ARGON2_TIME_COST })) as string;
  }

  /** The parameters are read from `hashed`, so hashes made under earlier settings still verify. */
  async verify(hashed: string, password: string): Promise<boolean> {
    return (await this.run({ op: 'verify', hashed, password })) as boolean;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.pool?.destroy();
    this.pool = undefined;
  }

  private async run(task: HashTask): Promise<string | boolean> {
    if (this.closed) throw saturated();
    const pool = (this.pool ??= this.start());
    if (pool.queueSize >= this.config.ARGON2_QUEUE) throw saturated();
    try {
      return await pool.run(task);
    } catch (err) {
      if (this.closed || (err instanceof Error && /queue is at limit|terminated|destroyed|closed/i.test(err.message))) throw saturated();
      throw err;
    }
  }

  private start(): Piscina<HashTask, string | boolean> {
    const threads = this.config.ARGON2_MAX_CONCURRENCY;
    const priority = this.config.ARGON2_SCHED_IDLE ? `SCHED_IDLE (else nice +${this.config.ARGON2_NICE})` : `nice +${this.config.ARGON2_NICE}`;
    this.logger.log(`${threads} password hashing thread(s) at ${priority}, queue ${this.config.ARGON2_QUEUE}`);
    return new Piscina<HashTask, string | boolean>({
      filename: WORKER,
      minThreads: threads,
      maxThreads: threads,
      maxQueue: this.config.ARGON2_QUEUE,
      // piscina calls nice(2) in each new thread (through @napi-rs/nice); on Linux that lowers that thread only.
      niceIncrement: this.config.ARGON2_NICE,
      workerData: { schedIdle: this.config.ARGON2_SCHED_IDLE } satisfies HashWorkerData,
      execArgv: WORKER.endsWith('.ts') ? ['-r', require.resolve('@swc-node/register')] : undefined,
    });
  }
}

const saturated = () => new DomainError('service.unavailable', 'Password hashing is saturated; retry shortly.', undefined, { 'Retry-After': RETRY_AFTER_SECONDS });
