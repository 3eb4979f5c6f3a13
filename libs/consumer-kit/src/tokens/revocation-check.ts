import Redis from 'ioredis';

/** Is this token (jti) or its session (sid) revoked? Throws when that cannot be known. */
export interface RevocationCheck {
  isRevoked(jti: string, sid: string): Promise<boolean>;
}

/**
 * Reads Credence's revocation marks: `<prefix>:revoked:jti:<jti>` and `<prefix>:revoked:sid:<sid>`,
 * complete only while `<prefix>:revocation:ready` exists (Credence rebuilds them after Redis lost
 * its data). Any doubt throws, so the guard fails closed.
 */
export class RedisRevocationCheck implements RevocationCheck {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async isRevoked(jti: string, sid: string): Promise<boolean> {
    const [ready, byJti, bySid] = await this.redis.mget(`${this.prefix}:revocation:ready`, `${this.prefix}:revoked:jti:${jti}`, `${this.prefix}:revoked:sid:${sid}`);
    if (ready === null) throw new Error('revocation marks are not complete (Credence is rebuilding them)');
    return byJti !== null || bySid !== null;
  }
}
