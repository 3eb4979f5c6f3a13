/**
 * One consumer instance of the events benchmark: a plain Nest microservice on the Redis Streams
 * transport. For each event it records (id, subject, time handled) and sends them to the parent in
 * chunks over IPC. GROUP and START_FROM ('$': only entries added after the group is made) serve the remote mode.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import type { CredenceCloudEvent } from '@credence/contracts';
import { KeepHandlerErrors, RedisStreamsServer } from '@credence/redis-streams-transport';

const now = () => performance.timeOrigin + performance.now();
let buffer: [string, string, number][] = [];
let flushing: Promise<void> | null = null;

/** The handler's side effect is the record reaching the parent: it resolves once sent, so an acked event is always reported. */
function record(entry: [string, string, number]): Promise<void> {
  buffer.push(entry);
  flushing ??= new Promise((resolve) =>
    setImmediate(() => {
      const chunk = buffer;
      buffer = [];
      flushing = null;
      process.send!({ handled: chunk, pid: process.pid }, () => resolve());
    }),
  );
  return flushing;
}

@Controller()
class BenchController {
  @EventPattern('user.updated')
  handle(@Payload() event: CredenceCloudEvent) {
    return record([event.id, event.subject, now()]);
  }
}

@Module({ controllers: [BenchController] })
class BenchConsumerModule {}

async function main() {
  const e = process.env;
  const server = new RedisStreamsServer({
    url: e.REDIS_URL!,
    prefix: e.PREFIX!,
    group: e.GROUP ?? 'bench',
    partitions: Number(e.PARTITIONS),
    leaseMs: Number(e.LEASE_MS),
    batchSize: 500,
    blockMs: 500,
    startFrom: e.START_FROM === '$' ? '$' : '0',
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(BenchConsumerModule, { strategy: server, logger: ['error', 'warn'] });
  app.useGlobalFilters(new KeepHandlerErrors());
  await app.listen();
  process.send!({ ready: true, pid: process.pid });
}

void main();
