import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { freePort, waitFor } from '../support/child-platform';
import { CuttableLink } from '../support/cuttable-link';
import { OwnRedis } from '../support/own-redis';

const PASSWORD = 'a long enough password';
/** Longer than any bound below; a request still unanswered by then counts as hung. */
const HUNG_AFTER_MS = 10_000;

/** The request's answer and how long it took, or 'hung' when none came within HUNG_AFTER_MS. */
async function timed<T>(request: Promise<T>): Promise<{ res: T | 'hung'; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), HUNG_AFTER_MS)));
  const res = await Promise.race([request, hung]);
  clearTimeout(timer);
  return { res, ms: Date.now() - started };
}

async function onboard(t: TestApp, prefix: string) {
  const slug = uniqueSlug(prefix);
  const email = `ada@${prefix}.example`;
  expect((await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: PASSWORD } })).status).toBe(201);
  const login = () => t.call('POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, { auth: false });
  const token = (await login()).body.access_token as string;
  /** A route behind the access-token check (and its revocation read in Redis). */
  const check = (bearer: string) => t.call('GET', `/v1/t/${slug}/sessions`, undefined, { auth: bearer });
  return { slug, login, token, check };
}

/** A stalled Redis (SIGSTOP) fails requests with 503 within REDIS_COMMAND_TIMEOUT_MS instead of holding them. */
describe('a stalled Redis', () => {
  let redis: OwnRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    t = await startTestApp([AuthAppModule], { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    redis.resume();
    await t.close();
    await redis.destroy();
  });

  it('answers a token check and a sign-in with 503 service.unavailable at once, and serves again when Redis answers', async () => {
    const tenant = await onboard(t, 'stallr');
    expect((await tenant.check(tenant.token)).status).toBe(200);
    redis.pause();
    try {
      for (const request of [tenant.check(tenant.token), tenant.login()]) {
        const { res, ms } = await timed(request);
        expect(res).not.toBe('hung');
        if (res === 'hung') return;
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('service.unavailable');
        expect(ms).toBeLessThan(3_000);
      }
    } finally {
      redis.resume();
    }
    await waitFor('Redis to answer again', async () => (await tenant.check(tenant.token)).status === 200);
    expect((await tenant.login()).status).toBe(200);
  });
  it("answers the OpenID Provider's authorization and token endpoints with 503 (a page, an RFC 6749 error) instead of hanging", async () => {
    const tenant = await onboard(t, 'stallo');
    const app = await t.call('POST', `/v1/t/${tenant.slug}/applications`, { name: 'Web', type: 'public', redirect_uris: ['https://app.example/cb'] }, { auth: tenant.token });
    expect(app.status).toBe(201);
    const authorize = () =>
      fetch(
        `${t.url}/v1/t/${tenant.slug}/oauth2/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: app.body.client_id,
          redirect_uri: 'https://app.example/cb',
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })}`,
        { redirect: 'manual' },
      );
    const token = () =>
      fetch(`${t.url}/v1/t/${tenant.slug}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'c'.repeat(43),
          redirect_uri: 'https://app.example/cb',
          code_verifier: 'v'.repeat(43),
          client_id: app.body.client_id,
        }),
      });
    expect((await authorize()).status).toBe(302);
    redis.pause();
    try {
      const page = await timed(authorize());
      expect(page.res).not.toBe('hung');
      if (page.res === 'hung') return;
      expect(page.res.status).toBe(503);
      expect(page.res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.res.headers.get('location')).toBeNull();
      const exchange = await timed(token());
      expect(exchange.res).not.toBe('hung');
      if (exchange.res === 'hung') return;
      expect(exchange.res.status).toBe(503);
      expect(((await exchange.res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    } finally {
      redis.resume();
    }
    await waitFor('Redis to answer again', async () => (await authorize()).status === 302);
  });
});

/** A stalled link to Postgres fails requests with 503 within DB_QUERY_TIMEOUT_MS / DB_CONNECT_TIMEOUT_MS. */
describe('a stalled Postgres', () => {
  let link: CuttableLink;
  let t: TestApp;
  beforeAll(async () => {
    // The app reaches the test database through a link the test stalls: Postgres itself stays up for the other test files.
    const url = new URL(process.env.CREDENCE_TEST_DATABASE_URL!);
    link = new CuttableLink(url.hostname, Number(url.port || 5432));
    await link.open();
    url.hostname = '127.0.0.1';
    url.port = String(link.port);
    t = await startTestApp([AuthAppModule], { DATABASE_URL: url.toString(), DB_QUERY_TIMEOUT_MS: '2000', DB_CONNECT_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => {
    link.unstall();
    await t.close();
    await link.cut();
  });

  it('answers sign-ins with 503 service.unavailable in bounded time, and serves again once the link flows', async () => {
    const tenant = await onboard(t, 'stallp');
    link.stall();
    try {
      // The first waits for its query's answer, the second for a connection (the pool drops the stalled ones).
      for (let i = 0; i < 2; i++) {
        const { res, ms } = await timed(tenant.login());
        expect(res).not.toBe('hung');
        if (res === 'hung') return;
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('service.unavailable');
        expect(ms).toBeLessThan(7_000);
      }
    } finally {
      link.unstall();
    }
    await waitFor('Postgres to answer again', async () => (await tenant.login()).status === 200);
    expect((await tenant.check(tenant.token)).status).toBe(200);
  });
});

/**
 * Shutting down (SIGTERM) while Redis is stalled or gone: QUIT is never answered, so each client that
 * waited for it (BullMQ's queues and workers, the stream consumers, the relay's publisher) held the
 * process for as long as the outage lasted. Every app of `npm start` is in this one.
 */
describe('shutting down without Redis', () => {
  const SHUTDOWN_BOUND_MS = 20_000;

  it.each(['stalled', 'gone'] as const)(
    'finishes in bounded time when Redis is %s, with events waiting to be published',
    async (outage) => {
      const redis = new OwnRedis(await freePort());
      await redis.start();
      const t = await startTestApp([AuthAppModule, FederationAppModule, SyncAppModule, AuditAppModule], { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300' });
      try {
        await onboard(t, `down${outage[0]}`);
        if (outage === 'stalled') redis.pause();
        else await redis.kill();
        // Events committed during the outage: the relay is trying to publish them when the shutdown comes.
        await t.call('POST', '/v1/admin/tenants', { slug: uniqueSlug('during'), name: 'during', admin: { email: 'ada@during.example', password: PASSWORD } });
        const started = Date.now();
        let timer: NodeJS.Timeout | undefined;
        const closed = await Promise.race([t.close().then(() => 'closed'), new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), SHUTDOWN_BOUND_MS)))]);
        clearTimeout(timer);
        expect({ closed, withinBound: Date.now() - started < SHUTDOWN_BOUND_MS }).toEqual({ closed: 'closed', withinBound: true });
      } finally {
        redis.resume();
        await redis.destroy();
      }
    },
    60_000,
  );
});
