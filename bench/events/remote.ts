/**
 * bench:events against a Credence that already runs elsewhere (BENCH_TARGET_URL and BENCH_ADMIN_KEY; see
 * events.bench.ts). Events are produced over the public API: one tenant, BENCH_PRODUCERS x 4 users, and
 * BENCH_PRODUCERS closed loops of `PATCH /v1/t/{tenant}/users/{id}` (a new display_name each time: one
 * `user.updated` per call) for BENCH_SECONDS. The server's own relay publishes them; two consumers here read
 * the server's streams (BENCH_TARGET_REDIS_URL, BENCH_TARGET_REDIS_PREFIX, EVENTS_PARTITIONS as the server
 * has them) as a consumer group of their own that starts at the streams' end, and keep this tenant's events.
 *
 * Each user is changed by one loop, one call at a time, so its events' ids (UUIDv7, made in the transaction)
 * rise in commit order: out of order = a user's event handled before one with a lower id. Latency runs from
 * the call's start (an upper bound: it includes the HTTP round trip before the commit). Lost = calls answered
 * 200 whose event was not handled within 60 s. No CPU split remotely. At the end the consumer group and its
 * keys are removed and the tenant is offboarded.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { api, latencies, offboardTenants, REMOTE_CPU_NOTE, RemoteTarget, remoteTenant, remoteUsers, sourceRevision, writeResults } from '../shared/bench-kit';

const log = (line: string) => process.stdout.write(`${line}\n`);
const now = () => performance.timeOrigin + performance.now();

export async function runRemote(target: RemoteTarget, k: { PRODUCERS: number; PARTITIONS: number; LEASE_MS: number }): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const redisUrl = process.env.BENCH_TARGET_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://localhost:6379';
  const prefix = process.env.BENCH_TARGET_REDIS_PREFIX ?? 'credence';
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const group = `bench-events-${run}`;
  const slug = `bench-ev-${run.slice(-6)}`;
  const password = `bench ${randomBytes(9).toString('base64url')} staple`;
  const load = [loadavg().map((x) => Math.round(x * 100) / 100)];
  log(`credence events bench ${run}, remote: ${target.url}, streams ${prefix}:events:p0..${k.PARTITIONS - 1} on ${redisUrl}, group ${group}; load here ${load[0].join(' ')}`);
  log(`  ${REMOTE_CPU_NOTE}`);
  const children: ChildProcess[] = [];
  let onboarded = false;
  const cleanup = async () => {
    for (const c of children) c.kill('SIGKILL');
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      for (let p = 0; p < k.PARTITIONS; p++) await redis.xgroup('DESTROY', `${prefix}:events:p${p}`, group).catch(() => undefined);
      // The group's own keys (the transport's StreamKeys shapes): members, leases, dead letters, redrive.
      const own = ['members', 'dlq', 'redrive'].map((k2) => `${prefix}:events:${k2}:${group}`);
      for (let p = 0; p < k.PARTITIONS; p++) own.push(`${prefix}:events:lease:${group}:p${p}`);
      const removed = await redis.del(...own);
      log(`  cleanup: consumer group ${group} and ${removed} key(s) of its own removed`);
    } finally {
      redis.disconnect();
    }
    if (onboarded) await offboardTenants(target, [slug], log);
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const tenant = await remoteTenant(target, slug, password);
    onboarded = true;
    const users = await remoteUsers(target, slug, tenant.admin, k.PRODUCERS * 4, password);
    const subjects = new Map(users.map((u, i) => [`user/${u.id}`, i]));

    const handled = new Map<string, { subject: string; t: number }>();
    let deliveries = 0;
    const onHandled = (m: { handled?: [string, string, number][] }) => {
      for (const [id, subject, t] of m.handled ?? []) {
        if (!subjects.has(subject)) continue; // another tenant's event on the same server
        deliveries++;
        if (!handled.has(id)) handled.set(id, { subject, t });
      }
    };
    const consumerEnv = { ...process.env, REDIS_URL: redisUrl, PREFIX: prefix, PARTITIONS: String(k.PARTITIONS), LEASE_MS: String(k.LEASE_MS), GROUP: group, START_FROM: '$' };
    for (let i = 0; i < 2; i++) {
      const child = fork(join(__dirname, 'bench-consumer.ts'), [], { env: consumerEnv, execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', onHandled);
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)));
        child.on('message', (m: { ready?: boolean }) => m.ready && resolve());
      });
    }
    await new Promise((r) => setTimeout(r, Math.max(1500, k.LEASE_MS))); // both consumers hold their partitions

    // Producers: loop j owns users j, j + P, j + 2P, ...: one call at a time per user.
    const calls: { user: number; t: number }[][] = users.map(() => []);
    const failures: Record<string, number> = {};
    const t0 = now();
    const until = t0 + seconds * 1000;
    let seq = 0;
    await Promise.all(
      Array.from({ length: k.PRODUCERS }, async (_, j) => {
        for (let round = 0; now() < until; round++) {
          const user = j + k.PRODUCERS * (round % 4);
          const t = now();
          const res = await api(target.url, 'PATCH', `/v1/t/${slug}/users/${users[user].id}`, { display_name: `seq ${++seq}` }, tenant.admin);
          if (res.status === 200) calls[user].push({ user, t });
          else failures[res.status] = (failures[res.status] ?? 0) + 1;
        }
      }),
    );
    const tProduced = now();
    const expected = calls.reduce((a, c) => a + c.length, 0);
    const deadline = Date.now() + 60_000;
    while (handled.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    // Per user: its events by id (commit order) matched to its calls in order; order checked against handling times.
    const bySubject = new Map<string, { id: string; t: number }[]>();
    for (const [id, h] of handled) bySubject.set(h.subject, [...(bySubject.get(h.subject) ?? []), { id, t: h.t }]);
    const lat: number[] = [];
    let outOfOrder = 0;
    for (const [subject, events] of bySubject) {
      events.sort((a, b) => (a.id < b.id ? -1 : 1));
      const mine = calls[subjects.get(subject)!];
      events.forEach((e, i) => {
        if (i > 0 && e.t < events[i - 1].t) outOfOrder++;
        if (mine[i]) lat.push(e.t - mine[i].t);
      });
    }
    const tDone = Math.max(t0, ...[...handled.values()].map((h) => h.t));
    load.push(loadavg().map((x) => Math.round(x * 100) / 100));
    const result = {
      run,
      mode: 'remote',
      target: target.url,
      source: sourceRevision(),
      when: new Date().toISOString(),
      loadavg_start_end_load_generator: load,
      cpu: 'not available remotely',
      settings: { seconds, producers: k.PRODUCERS, users: users.length, consumers: 2, partitions: k.PARTITIONS, prefix },
      produced: expected,
      failed_calls: failures,
      produced_per_s: Math.round(expected / ((tProduced - t0) / 1000)),
      end_to_end_per_s: Math.round(handled.size / ((tDone - t0) / 1000)),
      latency_from_call_start_ms: latencies(lat),
      lost: expected - handled.size,
      out_of_order: outOfOrder,
      duplicates: deliveries - handled.size,
    };
    log(JSON.stringify(result, null, 2));
    log(`raw figures: ${writeResults('events-remote', new Date(), run, result)}`);
  } finally {
    await cleanup();
  }
}
