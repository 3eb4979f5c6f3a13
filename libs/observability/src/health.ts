import { Controller, Get, Global, Inject, Injectable, Module, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '@credence/access';
import { REDIS } from '@credence/redis';

export interface CheckResult {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

export type HealthCheck = () => Promise<void>;
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

async function timed(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)))]);
    return { status: 'up', latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { status: 'down', latency_ms: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class HealthService {
  private readonly extra = new Map<string, HealthCheck>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Other modules (queues, relay) add their own checks here. */
  register(name: string, check: HealthCheck): void {
    this.extra.set(name, check);
  }

  async report(): Promise<{ status: 'ok' | 'unavailable'; checks: Record<string, CheckResult> }> {
    const checks: Record<string, HealthCheck> = {
      database: async () => void (await this.dataSource.query('SELECT 1')),
      redis: async () => {
        if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
      },
      ...Object.fromEntries(this.extra),
    };
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => timed(checks[n], 2000)));
    const byName = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    return { status: results.every((r) => r.status === 'up') ? 'ok' : 'unavailable', checks: byName };
  }
}

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @ApiOkResponse({ description: 'Postgres, Redis and queues answer.' })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency is down; `checks` says which.' })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.report();
    reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}

@Global()
@Module({ providers: [HealthService], controllers: [HealthController], exports: [HealthService] })
export class HealthModule {}
