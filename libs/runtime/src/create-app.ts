import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { DataSource } from 'typeorm';
import { AppConfig, proxyList } from '@credence/config';
import { traceIdFrom } from '@credence/context';
import { migratePlatform } from '@credence/database';
import { frameworkErrors, installFormParser, installInputGuards, installRouteBodyLimits, mountOpenApi, validationPipe } from '@credence/http';
import { AppLogger, Metrics } from '@credence/observability';
import { TenantTransactionRunner } from '@credence/tenancy';
import { platformMigrations } from '@migrations/platform';
import { coreModule } from './core.module';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';
import { dropPassThroughInterceptors } from './pass-through-interceptors';

/** The trace id of a request: from its W3C traceparent when valid, otherwise new. Kept on the raw request. */
function requestId(req: IncomingMessage): string {
  const raw = req as IncomingMessage & { id?: string };
  raw.id ??= traceIdFrom(typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined);
  return raw.id;
}

/**
 * Builds an app (not yet listening): Fastify with a body limit, the error envelope everywhere,
 * validation, OpenAPI at /docs, metrics per route, and platform migrations applied.
 */
export async function createApp(config: AppConfig, appName: string, features: Type[]): Promise<NestFastifyApplication> {
  installLeanAsyncResourceBind(); // Fastify binds once per request with a body; Node 20's bind costs ~11 µs
  const logger = new AppLogger(config.LOG_LEVEL);
  const proxies = proxyList(config.TRUSTED_PROXIES);
  const adapter = new FastifyAdapter({
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    genReqId: requestId, // X-Forwarded-For is believed only from these peers (request.ip then is the client's address).
    trustProxy: proxies.length ? proxies : false,
    return503OnClosing: true,
    // A URL Fastify cannot route gets the error envelope too. No hook runs for it, so it is recorded here
    // (answered, below: nothing is served before createApp returns).
    frameworkErrors: (...[error, request, reply]: Parameters<typeof frameworkErrors>) => {
      frameworkErrors(error, request, reply);
      answered(request, reply);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(coreModule(config, appName, features), adapter, {
    logger,
    // JSON everywhere; forms only on routes marked @AcceptsForm (installFormParser); no text parser.
    bodyParser: false,
  });
  app.useGlobalPipes(validationPipe());
  dropPassThroughInterceptors(app);
  app.get(TenantTransactionRunner).setSource(`credence/${appName}`);
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain'); // JSON only: other media types get 415
  installFormParser(fastify);
  installInputGuards(fastify); // JSON depth limit, and no NUL or lone surrogate in any input string
  installRouteBodyLimits(fastify); // @LargeJsonBody routes (the sync batch); every other route keeps HTTP_BODY_LIMIT_BYTES
  const metrics = app.get(Metrics);
  const answered = (request: FastifyRequest, reply: FastifyReply): void => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    logger.requestCompleted({ traceId: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: reply.elapsedTime });
  };
  // Callback-style hooks: an async hook costs every request a promise and a microtask hop for work that never waits.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-trace-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    answered(request, reply);
    done();
  });

  await migratePlatform(app.get(DataSource), platformMigrations);
  mountOpenApi(app, `Credence ${appName} API`);
  return app;
}
