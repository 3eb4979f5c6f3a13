import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import type { CredenceCloudEvent } from '@credence/contracts';
import { KeepHandlerErrors, RedisStreamsContext, RedisStreamsServer, RedisStreamsServerOptions } from '@credence/redis-streams-transport';

export interface Handled {
  id: string;
  type: string;
  subject: string;
  seq?: number;
  attempt: number;
  entry: string;
  stream: string;
  at: number;
}

/** Per-test behaviour of the consumer: what to record, and when to fail. */
export interface Recorder {
  handled: Handled[];
  /** Only events whose subject starts with this are recorded (streams hold other tests' events too). */
  subjects?: string;
  /** When present, whole envelopes are kept here as received. */
  events?: CredenceCloudEvent[];
  /** Throw to fail the handler for this event. */
  before?(event: CredenceCloudEvent, attempt: number): Promise<void> | void;
}

const seqOf = (e: CredenceCloudEvent) => {
  const changed = (e.data as { changed?: string[] }).changed?.[0];
  return changed?.startsWith('seq:') ? Number(changed.slice(4)) : undefined;
};

/** A consuming Nest service, as a user would write it: plain @EventPattern handlers. */
export async function startRecordingConsumer(options: RedisStreamsServerOptions, recorder: Recorder): Promise<{ app: INestMicroservice; server: RedisStreamsServer }> {
  @Controller()
  class RecordingController {
    private async record(event: CredenceCloudEvent, ctx: RedisStreamsContext) {
      if (recorder.subjects && !event.subject.startsWith(recorder.subjects)) return;
      await recorder.before?.(event, ctx.getAttempt());
      recorder.events?.push(event);
      recorder.handled.push({
        id: event.id,
        type: event.type,
        subject: event.subject,
        seq: seqOf(event),
        attempt: ctx.getAttempt(),
        entry: ctx.getEntryId(),
        stream: ctx.getStream(),
        at: performance.now(),
      });
    }

    @EventPattern('tenant.updated')
    updated(@Payload() event: CredenceCloudEvent, @Ctx() ctx: RedisStreamsContext) {
      return this.record(event, ctx);
    }

    @EventPattern('tenant.onboarded')
    onboarded(@Payload() event: CredenceCloudEvent, @Ctx() ctx: RedisStreamsContext) {
      return this.record(event, ctx);
    }
  }
  @Module({ controllers: [RecordingController] })
  class RecordingModule {}

  const server = new RedisStreamsServer({ leaseMs: 1500, blockMs: 200, ...options });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(RecordingModule, { strategy: server, logger: ['error'] });
  app.useGlobalFilters(new KeepHandlerErrors());
  await app.listen();
  return { app, server };
}

export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
