import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Idempotency } from './idempotency/idempotency';
import { AccessTokenVerifier } from './tokens/access-token-verifier';
import { CREDENCE_TENANT_RESOLVER, CREDENCE_TOKEN_VERIFIER, CredenceTokenGuard, defaultTenantResolver, TenantResolver } from './tokens/credence-token.guard';
import { JwksCache } from './tokens/jwks-cache';
import { RedisRevocationCheck } from './tokens/revocation-check';

export interface ConsumerKitOptions {
  /** Credence's public base URL (token issuers derive from it). */
  credenceUrl: string;
  /** Where to fetch JWKS from when it differs from credenceUrl (an internal address). */
  jwksBaseUrl?: string;
  /** The Redis Credence uses, and its REDIS_PREFIX: revocation marks live there. */
  redisUrl: string;
  redisPrefix: string;
  /** This service's name: prefixes its idempotency keys. */
  service: string;
  audience?: string;
  tenantResolver?: TenantResolver;
}

export const CONSUMER_KIT_REDIS = Symbol('CONSUMER_KIT_REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(CONSUMER_KIT_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Token guard and idempotency helper for a service consuming Credence. */
@Module({})
export class ConsumerKitModule {
  static forRoot(o: ConsumerKitOptions): DynamicModule {
    return {
      module: ConsumerKitModule,
      global: true,
      providers: [
        { provide: CONSUMER_KIT_REDIS, useFactory: () => new Redis(o.redisUrl, { maxRetriesPerRequest: 1 }) },
        {
          provide: CREDENCE_TOKEN_VERIFIER,
          inject: [CONSUMER_KIT_REDIS],
          useFactory: (redis: Redis) =>
            new AccessTokenVerifier({
              baseUrl: o.credenceUrl,
              jwks: new JwksCache({ baseUrl: o.jwksBaseUrl ?? o.credenceUrl }),
              revocation: new RedisRevocationCheck(redis, o.redisPrefix),
              audience: o.audience,
            }),
        },
        { provide: CREDENCE_TENANT_RESOLVER, useValue: o.tenantResolver ?? defaultTenantResolver },
        { provide: Idempotency, inject: [CONSUMER_KIT_REDIS], useFactory: (redis: Redis) => new Idempotency(redis, { prefix: `${o.service}:seen` }) },
        CredenceTokenGuard,
        RedisCloser,
      ],
      exports: [CREDENCE_TOKEN_VERIFIER, CREDENCE_TENANT_RESOLVER, Idempotency, CredenceTokenGuard, CONSUMER_KIT_REDIS],
    };
  }
}
