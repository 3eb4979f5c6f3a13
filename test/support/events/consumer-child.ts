/**
 * A consuming service in a process of its own, so tests can kill it. It records every event it
 * handles at the end of a Redis list: `<id>|<subject>|<attempt>|<pid>`.
 * Settings come from the environment: REDIS_URL, PREFIX, GROUP, PARTITIONS, HANDLER_DELAY_MS.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import type { CredenceCloudEvent } from '@credence/contracts';
import { KeepHandlerErrors, RedisStreamsContext, RedisStreamsServer } from '@credence/redis-streams-transport';

const env = process.env;
const log = new Redis(env.REDIS_URL!);
const delay = Number(env.HANDLER_DELAY_MS ?? 0);

@Controller()
class ChildController {
  @EventPattern('tenant.updated')
  async updated(@Payload() event: CredenceCloudEvent, @Ctx() ctx: RedisStreamsContext) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    await log.rpush(`${env.PREFIX}:handled`, `${event.id}|${event.subject}|${ctx.getAttempt()}|${process.pid}`);
  }
}

@Module({ controllers: [ChildController] })
class ChildModule {}

async function main() {
  const server = new RedisStreamsServer({
    url: env.REDIS_URL!,
    prefix: env.PREFIX!,
    group: env.GROUP!,
    partitions: Number(env.PARTITIONS ?? 4),
    leaseMs: 1500,
    blockMs: 200,
    batchSize: 50,
    startFrom: '0',
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ChildModule, { strategy: server, logger: ['error', 'warn'] });
  app.useGlobalFilters(new KeepHandlerErrors());
  await app.listen();
  process.stdout.write('ready\n');
}

void main();
