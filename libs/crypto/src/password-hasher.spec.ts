import { readdirSync, readFileSync } from 'node:fs';
import { AppConfig, parseConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { PasswordHasher } from './password-hasher';

const config = (over: Record<string, string>) => parseConfig({ NODE_ENV: 'test', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ...over }) as AppConfig;

/** The nice value of every thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function niceOfThreads(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

const SCHED_IDLE = 5;
/** The scheduling policy of a thread of this process (field 41 of /proc/self/task/<tid>/stat). */
function policyOf(tid: string): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
}
/**
 * Threads started since `before` (a task list) that run under SCHED_IDLE. Only new threads count: a
 * thread of an earlier test's pool may still be loading and move itself to SCHED_IDLE meanwhile.
 */
const newIdleThreads = (before: Set<string>) => readdirSync('/proc/self/task').filter((tid) => !before.has(tid) && policyOf(tid) === SCHED_IDLE);
const threadIds = () => new Set(readdirSync('/proc/self/task'));

describe('PasswordHasher (worker threads)', () => {
  const hashers: PasswordHasher[] = [];
  const hasher = (over: Record<string, string> = {}) => {
    const h = new PasswordHasher(config(over));
    hashers.push(h);
    return h;
  };
  afterAll(() => Promise.all(hashers.map((h) => h.onApplicationShutdown())));

  it('hashes with argon2id and the configured costs, and verifies the right password only', async () => {
    const h = hasher();
    const hashed = await h.hash('correct horse');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    await expect(h.verify(hashed, 'correct horse')).resolves.toBe(true);
    await expect(h.verify(hashed, 'Correct horse')).resolves.toBe(false);
  });

  it('runs on threads that lowered their own priority by ARGON2_NICE, leaving the calling thread as it was', async () => {
    const before = niceOfThreads();
    // The calling thread's own niceness (not niceOfThreads()[0]: task ids list in text order, so that may be another thread).
    const ownNice = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[16]);
    const callerBefore = ownNice();
    const h = hasher({ ARGON2_MAX_CONCURRENCY: '2', ARGON2_NICE: '7' });
    await Promise.all([h.hash('a'), h.hash('b'), h.hash('c')]);
    const after = niceOfThreads();
    expect(after.filter((n) => n === 7).length - before.filter((n) => n === 7).length).toBeGreaterThanOrEqual(2);
    expect(ownNice()).toBe(callerBefore);
  });

  it('runs hashes on threads under SCHED_IDLE by default, leaving the calling thread under the normal policy', async () => {
    const before = threadIds();
    const h = hasher({ ARGON2_MAX_CONCURRENCY: '2' });
    await Promise.all([h.hash('a'), h.hash('b'), h.hash('c')]);
    expect(newIdleThreads(before)).toHaveLength(2);
    expect(policyOf(String(process.pid))).toBe(0);
  });

  it('leaves the hashing threads under the normal policy with ARGON2_SCHED_IDLE=false', async () => {
    const before = threadIds();
    const h = hasher({ ARGON2_MAX_CONCURRENCY: '2', ARGON2_SCHED_IDLE: 'false' });
    await Promise.all([h.hash('a'), h.hash('b'), h.hash('c')]);
    expect(newIdleThreads(before)).toEqual([]);
  });

  it('answers 503 service.unavailable with Retry-After past ARGON2_QUEUE waiting hashes, and serves again once the queue drains', async () => {
    const h = hasher({ ARGON2_MAX_CONCURRENCY: '1', ARGON2_QUEUE: '2', ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '3' });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => h.hash(`password ${i}`)));
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as DomainError);
    const hashed = outcomes.filter((o) => o.status === 'fulfilled');
    expect(hashed.length).toBeGreaterThanOrEqual(1);
    expect(hashed.length).toBeLessThanOrEqual(3); // one running, two waiting
    expect(refused).toHaveLength(12 - hashed.length);
    for (const err of refused) {
      expect(err).toBeInstanceOf(DomainError);
      expect(err.code).toBe('service.unavailable');
      expect(err.status).toBe(503);
      expect(err.headers).toEqual({ 'Retry-After': '1' });
    }
    await expect(h.hash('after the flood')).resolves.toMatch(/^\$argon2id\$/);
  });

  it('refuses with 503 once the app shuts down instead of hanging', async () => {
    const h = hasher();
    await h.hash('warm');
    await h.onApplicationShutdown();
    await expect(h.verify('$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA', 'x')).rejects.toMatchObject({ code: 'service.unavailable' });
  });
});
