import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { REDIS } from '@credence/redis';
import { TenantStore, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';

/** Longest possible access-token life (the tenant setting's maximum): a session mark must outlive every token of the session. */
export const SESSION_MARK_TTL_SECONDS = 86_400 + 300;
const REBUILD_WAIT_MS = 5_000;
/** Revocation checks sharing one MGET at most (2 keys each, plus the ready key once). */
const MAX_READS_PER_MGET = 256;
/** Marks written per pipeline by a rebuild. */
const MARKS_PER_PIPELINE = 1_000;

/**
 * Revocation state. Postgres is the record; Redis holds a mark per revoked token (jti) and per
 * revoked session (sid) so every check is one round trip. A `ready` key proves the marks are
 * complete: when Redis comes back empty it is missing, and checks wait for a rebuild from Postgres.
 * When Redis cannot be read, checks fail closed with 503.
 */
@Injectable()
export class RevocationStore {
  private readonly logger = new Logger(RevocationStore.name);
  private rebuilding?: Promise<void>;
  private pendingReads?: { jti: string; sid: string; resolve: (values: (string | null)[]) => void; reject: (err: Error) => void }[];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly tenantStore: TenantStore,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(kind: 'jti' | 'sid', id: string): string {
    return `${this.config.REDIS_PREFIX}:revoked:${kind}:${id}`;
  }

  private get readyKey(): string {
    return `${this.config.REDIS_PREFIX}:revocation:ready`;
  }

  /** True when the token or its session is revoked. Throws 503 when that cannot be known. */
  async isRevoked(jti: string, sid: string): Promise<boolean> {
    let values = await this.read(jti, sid);
    if (values[0] === null) {
      await this.awaitRebuild();
      values = await this.read(jti, sid);
      if (values[0] === null) throw new DomainError('service.unavailable', 'Revocation state is being rebuilt; retry shortly.');
    }
    return values[1] !== null || values[2] !== null;
  }

  /**
   * Records revocations inside the caller's transaction and marks Redis before the commit: if Redis
   * cannot be written the change fails (and can be retried); at worst a mark exists for a row that
   * rolled back, which errs on the side of refusing.
   */
  async revoke(uow: UnitOfWork, entries: { sessionIds?: string[]; tokens?: { jti: string; sessionId: string; expiresAt: number }[]; reason: string }): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const pipeline = this.redis.multi();
    for (const t of entries.tokens ?? []) {
      await uow.query(`INSERT INTO revoked_access_tokens (jti, session_id, expires_at, reason) VALUES ($1, $2, to_timestamp($3), $4) ON CONFLICT (jti) DO NOTHING`, [
        t.jti,
        t.sessionId,
        t.expiresAt,
        entries.reason,
      ]);
      pipeline.set(this.key('jti', t.jti), '1', 'EX', Math.max(1, t.expiresAt - now + this.config.TOKEN_CLOCK_SKEW_SECONDS));
    }
    for (const sid of entries.sessionIds ?? []) pipeline.set(this.key('sid', sid), '1', 'EX', SESSION_MARK_TTL_SECONDS);
    try {
      await pipeline.exec();
    } catch (err) {
      throw new DomainError('service.unavailable', `Revocation could not be recorded: ${(err as Error).message}`);
    }
  }

  /**
   * [ready, jti mark, sid mark]. Checks started in the same tick share one MGET: one socket write
   * and one round trip for all of them, instead of a write syscall per check, which cost about as
   * much CPU as the signature check itself under concurrent load.
   */
  private read(jti: string, sid: string): Promise<(string | null)[]> {
    return new Promise((resolve, reject) => {
      if (!this.pendingReads) {
        this.pendingReads = [];
        process.nextTick(() => void this.flushReads());
      }
      this.pendingReads.push({ jti, sid, resolve, reject });
      if (this.pendingReads.length >= MAX_READS_PER_MGET) void this.flushReads();
    });
  }

  private async flushReads(): Promise<void> {
    const batch = this.pendingReads;
    this.pendingReads = undefined;
    if (!batch?.length) return;
    const keys = [this.readyKey];
    for (const r of batch) keys.push(this.key('jti', r.jti), this.key('sid', r.sid));
    let values: (string | null)[];
    try {
      values = await this.redis.mget(keys);
    } catch {
      const err = new DomainError('service.unavailable', 'Revocation state cannot be read.');
      for (const r of batch) r.reject(err);
      return;
    }
    batch.forEach((r, i) => r.resolve([values[0], values[1 + 2 * i], values[2 + 2 * i]]));
  }

  /** Rebuilds once per process at a time; across processes a Redis lock lets one do it while others wait. */
  private awaitRebuild(): Promise<void> {
    this.rebuilding ??= this.rebuildOrWait().finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  private async rebuildOrWait(): Promise<void> {
    const lockKey = `${this.config.REDIS_PREFIX}:revocation:rebuilding`;
    try {
      const won = await this.redis.set(lockKey, String(process.pid), 'EX', 60, 'NX');
      if (won) {
        try {
          await this.rebuild();
        } finally {
          await this.redis.del(lockKey);
        }
        return;
      }
      const deadline = Date.now() + REBUILD_WAIT_MS;
      while (Date.now() < deadline) {
        if (await this.redis.exists(this.readyKey)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError('service.unavailable', 'Revocation state cannot be rebuilt.');
    }
  }

  /** Copies every still-relevant revocation of every live tenant from Postgres into Redis, then sets `ready`. */
  async rebuild(): Promise<{ tokens: number; sessions: number }> {
    const started = Date.now();
    const tenants = await this.tenantStore.listByStatus(['active', 'suspended']);
    let tokens = 0;
    let sessions = 0;
    for (const t of tenants) {
      const tenant: TenantRef = { id: t.id, slug: t.slug, schema: t.schema_name };
      const found = await this.readTenant(tenant);
      if (!found) continue;
      const { jtis, sids } = found;
      await this.setMarks([
        ...jtis.map((r) => [this.key('jti', r.jti), Math.max(1, r.ttl + this.config.TOKEN_CLOCK_SKEW_SECONDS)] as const),
        ...sids.map((r) => [this.key('sid', r.id), Math.max(1, r.ttl ?? SESSION_MARK_TTL_SECONDS)] as const),
      ]);
      tokens += jtis.length;
      sessions += sids.length;
    }
    await this.redis.set(this.readyKey, new Date().toISOString());
    this.logger.warn(`rebuilt revocation marks from Postgres: ${tokens} tokens, ${sessions} sessions, ${tenants.length} tenants, ${Date.now() - started} ms`);
    return { tokens, sessions };
  }

  /** Sets marks in pipelines of bounded size: every command must answer within REDIS_COMMAND_TIMEOUT_MS, however many marks a tenant has. */
  private async setMarks(marks: (readonly [string, number])[]): Promise<void> {
    for (let i = 0; i < marks.length; i += MARKS_PER_PIPELINE) {
      const pipeline = this.redis.pipeline();
      for (const [key, ttl] of marks.slice(i, i + MARKS_PER_PIPELINE)) pipeline.set(key, '1', 'EX', ttl);
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    }
  }

  /** A tenant's live revocations; undefined when its schema predates the sign-in tables (not migrated yet: nothing to revoke). */
  private async readTenant(tenant: TenantRef): Promise<{ jtis: { jti: string; ttl: number }[]; sids: { id: string; ttl: number }[] } | undefined> {
    try {
      return await this.context.runWith({ tenant, principal: 'system:revocation' }, () =>
        this.runner.inTenant(async (uow) => ({
          jtis: await uow.query<{ jti: string; ttl: number }[]>(
            `SELECT jti, ceil(extract(epoch FROM expires_at - now()))::int AS ttl FROM revoked_access_tokens WHERE expires_at > now()`,
          ),
          sids: [
            ...(await uow.query<{ id: string; ttl: number }[]>(
              `SELECT id, ceil($1 - extract(epoch FROM now() - revoked_at))::int AS ttl FROM auth_sessions
                WHERE status IN ('revoked', 'expired', 'locked') AND coalesce(revoked_at, expired_at) > now() - make_interval(secs => $1)`,
              [SESSION_MARK_TTL_SECONDS],
            )),
            ...(await this.readTombstones(uow)),
          ],
        })),
      );
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') return undefined;
      throw err;
    }
  }

  /**
   * Ended sessions that were deleted (with their user, or by retention) while their tokens may still
   * be alive: a trigger keeps a tombstone for each. A schema not migrated that far has none to read.
   */
  private async readTombstones(uow: UnitOfWork): Promise<{ id: string; ttl: number }[]> {
    const [table] = await uow.query<{ present: boolean }[]>(`SELECT to_regclass('revoked_session_tombstones') IS NOT NULL AS present`);
    if (!table.present) return [];
    return uow.query<{ id: string; ttl: number }[]>(
      `SELECT session_id AS id, ceil(extract(epoch FROM keep_until - now()))::int AS ttl FROM revoked_session_tombstones WHERE keep_until > now()`,
    );
  }
}
