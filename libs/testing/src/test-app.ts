import { Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig, readEnvironment } from '@credence/config';
import { createApp } from '@credence/runtime';

export const TEST_ADMIN_KEY = 'crd_test_admin_key_0123456789abcdefghijklmnop';
export const TEST_KEK = Buffer.alloc(32, 7).toString('base64');

/** Environment for an app under test: the run's database and Redis prefix, cheap argon2, quiet logs. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const env = readEnvironment();
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set: run tests through jest (global setup creates the test database)`);
    return v;
  };
  return {
    NODE_ENV: 'test',
    DATABASE_URL: need('CREDENCE_TEST_DATABASE_URL'),
    REDIS_URL: env.REDIS_URL ?? 'redis://localhost:6379',
    REDIS_PREFIX: need('CREDENCE_TEST_REDIS_PREFIX'),
    CREDENCE_DATA_DIR: need('CREDENCE_TEST_DATA_DIR'),
    // Every process of one deployment shares the public base URL (token issuers derive from it).
    CREDENCE_BASE_URL: 'http://credence.test',
    CREDENCE_ADMIN_KEY: TEST_ADMIN_KEY,
    CREDENCE_KEY_ENCRYPTION_KEY: TEST_KEK,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    LOG_LEVEL: env.CREDENCE_TEST_LOG_LEVEL ?? 'silent',
    DB_POOL_MAX: '20',
    // CI saturates both cores for minutes: 500 ms (the default) can pass between a Redis reply and the
    // event loop reading it, which turns a healthy request into a 503. The stalled-Redis spec sets its own.
    REDIS_COMMAND_TIMEOUT_MS: '3000',
    // No metadata refresh sweeps across other test files' tenants; a test that wants one sets it.
    FEDERATION_METADATA_REFRESH_SECONDS: '0',
    // Federation specs send many refused messages from 127.0.0.1 to one connection; the limit's own spec sets it low.
    FEDERATION_REFUSALS_PER_IP_PER_MINUTE: '100000',
    // No spare schemas made in the background of every test app; a test that wants the pool sets it
    // (CREDENCE_TEST_TENANT_SPARE_POOL_SIZE runs a whole suite with it).
    TENANT_SPARE_POOL_SIZE: env.CREDENCE_TEST_TENANT_SPARE_POOL_SIZE ?? '0',
    // Event-delivery settings a test put in the environment (they reach child processes that way too).
    ...Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('EVENTS_') && v !== undefined)),
    ...overrides,
  };
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  dataSource: DataSource;
  /** JSON request; `auth` defaults to the platform admin key, `false` sends none. */
  call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options?: { auth?: string | false; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestApp(features: Type[], overrides: Record<string, string> = {}, appName = 'test'): Promise<TestApp> {
  const { config } = loadConfig(testEnv(overrides));
  const app = await createApp(config, appName, features);
  // PORT is set when the public base URL must be the real one (a browser test follows its redirects).
  await app.listen(Number(overrides.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    config,
    dataSource: app.get(DataSource),
    async call(method, path, body, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const auth = options.auth === undefined ? TEST_ADMIN_KEY : options.auth;
      if (auth) headers.authorization = `Bearer ${auth}`;
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    close: () => app.close(),
  };
}

let counter = 0;
/** A slug unique within the test run. */
export function uniqueSlug(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
