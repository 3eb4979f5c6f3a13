import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MicroserviceOptions, Payload, RmqContext, Transport } from '@nestjs/microservices';
import * as amqp from 'amqplib';
import type { CredenceCloudEvent } from '@credence/contracts';
import { TestApp, uniqueSlug } from '@credence/testing';
import { createEventsWorld, emitSequence, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { until } from '../support/events/recording-consumer';

const RMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';

/**
 * The same relay, configured for Nest's built-in RabbitMQ transport (EVENTS_TRANSPORT=rmq), and a
 * consumer written with Nest's own ServerRMQ: durable queue, persistent messages, publisher
 * confirms, manual acks, one message in flight (prefetch 1) so each aggregate's order holds.
 */
describe('event delivery over RabbitMQ (Nest built-in transport)', () => {
  let world: EventsWorld;
  let app: TestApp;
  let consumer: INestMicroservice;
  const queue = `credence-events-${uniqueSlug('rmq')}`;
  const handled: CredenceCloudEvent[] = [];

  beforeAll(async () => {
    world = await createEventsWorld('rmq');
    useEventsEnv({});
    app = await startWorldApp(world, {}, { EVENTS_TRANSPORT: 'rmq', EVENTS_TRANSPORT_URL: RMQ_URL, EVENTS_RMQ_QUEUE: queue });

    @Controller()
    class RmqEventsController {
      @EventPattern('tenant.updated')
      updated(@Payload() event: CredenceCloudEvent, @Ctx() ctx: RmqContext) {
        handled.push(event);
        (ctx.getChannelRef() as amqp.Channel).ack(ctx.getMessage() as amqp.Message);
      }
    }
    @Module({ controllers: [RmqEventsController] })
    class RmqConsumerModule {}
    consumer = await NestFactory.createMicroservice<MicroserviceOptions>(RmqConsumerModule, {
      transport: Transport.RMQ,
      options: { urls: [RMQ_URL], queue, noAck: false, prefetchCount: 1, queueOptions: { durable: true } },
      logger: ['error'],
    });
    await consumer.listen();
  }, 60_000);

  afterAll(async () => {
    await consumer?.close();
    await app?.close();
    const conn = await amqp.connect(RMQ_URL);
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue);
    await conn.close();
    await world?.cleanup();
  });

  it('delivers every event with its envelope, in order per aggregate', async () => {
    const aggregates = Array.from({ length: 8 }, (_, i) => `order/${queue}-${i}`);
    const ids = await Promise.all(aggregates.map((agg) => emitSequence(app, TENANT, agg, 15, 2)));
    await until('every event to arrive over RabbitMQ', () => handled.length >= 120, 30_000);
    expect(new Set(handled.map((e) => e.id)).size).toBe(120);
    aggregates.forEach((agg, i) => expect(handled.filter((e) => e.subject === agg).map((e) => e.id)).toEqual(ids[i]));
    expect(handled[0]).toMatchObject({ specversion: '1.0', type: 'tenant.updated', tenantid: TENANT, source: 'credence/test', datacontenttype: 'application/json' });
    const [row] = await app.dataSource.query('SELECT count(*)::int AS unsent FROM platform.outbox WHERE published_at IS NULL');
    expect(row.unsent).toBe(0);
  }, 60_000);
});
