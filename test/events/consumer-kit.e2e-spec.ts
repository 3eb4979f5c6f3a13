import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import {
  AccessTokenVerifier,
  ConsumerKitModule,
  CredenceTokenGuard,
  DeadLetters,
  Idempotency,
  JwksCache,
  RedisRevocationCheck,
  RedisStreamsClient,
  TokenRejected,
} from '@credence/consumer-kit';
import { IDENTITY_RPC } from '@credence/contracts';
import { TestApp, uniqueSlug } from '@credence/testing';
import { RevocationStore } from '@credence/identity';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { freePort } from '../support/child-platform';
import { createEventsWorld, EventsWorld, startWorldApp, useEventsEnv } from '../support/events/events-world';
import { Recorder, startRecordingConsumer, until } from '../support/events/recording-consumer';

const PASSWORD = 'a long enough password';

/** The consumer kit against a real Credence: JWKS, tokens from a real sign-in, revocation marks in Redis. */
describe('consumer kit', () => {
  let world: EventsWorld;
  let app: TestApp;
  const t = { slug: uniqueSlug('kit'), id: '', token: '' };
  const other = { slug: uniqueSlug('kit2'), id: '', token: '' };
  let verifier: AccessTokenVerifier;
  let fetches = 0;

  const reason = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'accepted';
    } catch (err) {
      if (err instanceof TokenRejected) return err.reason;
      throw err;
    }
  };

  beforeAll(async () => {
    world = await createEventsWorld('kit');
    useEventsEnv({});
    app = await startWorldApp(world, {}, {}, [AuthAppModule]);
    for (const x of [t, other]) {
      const res = await app.call('POST', '/v1/admin/tenants', { slug: x.slug, name: x.slug, admin: { email: `admin@${x.slug}.example`, password: PASSWORD } });
      x.id = res.body.id;
      const login = await app.call('POST', `/v1/t/${x.slug}/auth/login`, { email: `admin@${x.slug}.example`, password: PASSWORD }, { auth: false });
      expect(login.status).toBe(200);
      x.token = login.body.access_token;
    }
    // Credence marks its revocation state complete (it does so on its first check after Redis starts empty).
    await app.app.get(RevocationStore).rebuild();
    const countingFetch: typeof fetch = (input, init) => {
      fetches += 1;
      return fetch(input, init);
    };
    verifier = new AccessTokenVerifier({
      baseUrl: app.config.CREDENCE_BASE_URL, // the issuer
      jwks: new JwksCache({ baseUrl: app.url, fetch: countingFetch }), // where the keys are served
      revocation: new RedisRevocationCheck(world.redis, world.prefix),
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await world?.cleanup();
  });

  it('accepts a valid access token of the tenant, with its claims', async () => {
    const claims = await verifier.verify(t.token, { slug: t.slug, id: t.id });
    expect(claims).toMatchObject({ tid: t.id, iss: `${app.config.CREDENCE_BASE_URL}/v1/t/${t.slug}` });
    expect(typeof claims.sub).toBe('string');
  });

  it('refuses another tenant’s token, a forged signature, another algorithm and an unknown key', async () => {
    expect(await reason(verifier.verify(other.token, { slug: t.slug }))).toMatch(/unknown_key|wrong_issuer/);
    expect(await reason(verifier.verify(t.token, { slug: t.slug, id: other.id }))).toBe('wrong_tenant');
    const [h, p, s] = t.token.split('.');
    const flipped = Buffer.from(s, 'base64url');
    flipped[10] ^= 1;
    expect(await reason(verifier.verify(`${h}.${p}.${flipped.toString('base64url')}`, { slug: t.slug }))).toBe('bad_signature');
    const hs = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h, 'base64url').toString()), alg: 'HS256' })).toString('base64url');
    expect(await reason(verifier.verify(`${hs}.${p}.${s}`, { slug: t.slug }))).toBe('malformed');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const expired = Buffer.from(JSON.stringify({ ...claims, exp: 1 })).toString('base64url');
    expect(await reason(verifier.verify(`${h}.${expired}.${s}`, { slug: t.slug }))).toBe('bad_signature');
    // An unknown kid refreshes the keys once, then not again for a while.
    const before = fetches;
    const kid = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'no-such-key' })).toString('base64url');
    await new Promise((r) => setTimeout(r, 0));
    expect(await reason(verifier.verify(`${kid}.${p}.${s}`, { slug: t.slug }))).toBe('unknown_key');
    expect(await reason(verifier.verify(`${kid}.${p}.${s}`, { slug: t.slug }))).toBe('unknown_key');
    expect(fetches - before).toBeLessThanOrEqual(1);
  });

  it('refuses a token that is not an access token (typ), whatever it carries', async () => {
    const [h, p, s] = t.token.split('.');
    const typ = (value: unknown) => Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h, 'base64url').toString()), typ: value })).toString('base64url');
    // An ID token has the tenant's key and issuer too, but typ JWT.
    expect(await reason(verifier.verify(`${typ('JWT')}.${p}.${s}`, { slug: t.slug }))).toBe('malformed');
    expect(await reason(verifier.verify(`${typ(undefined)}.${p}.${s}`, { slug: t.slug }))).toBe('malformed');
  });

  it('fetches the JWKS of an unknown tenant, or of a Credence that is down, once per interval, and refuses meanwhile', async () => {
    let count = 0;
    const counting: typeof fetch = (input, init) => {
      count += 1;
      return fetch(input, init);
    };
    const [, p, s] = t.token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k' })).toString('base64url')}.${p}.${s}`;
    const revocation = new RedisRevocationCheck(world.redis, world.prefix);

    // A tenant slug taken from the request's URL that Credence does not know: 404, remembered as a tenant without keys.
    const kit = new AccessTokenVerifier({ baseUrl: app.config.CREDENCE_BASE_URL, jwks: new JwksCache({ baseUrl: app.url, fetch: counting }), revocation });
    const nobody = uniqueSlug('nobody');
    const reasons = await Promise.all(Array.from({ length: 5 }, () => reason(kit.verify(forged, { slug: nobody }))));
    for (let i = 0; i < 5; i += 1) reasons.push(await reason(kit.verify(forged, { slug: nobody })));
    expect(new Set(reasons)).toEqual(new Set(['unknown_key']));
    expect(count).toBe(1);

    // Credence unreachable: unavailable (503 from the guard), and no new attempt before minRefreshMs.
    count = 0;
    const down = new AccessTokenVerifier({
      baseUrl: app.config.CREDENCE_BASE_URL,
      jwks: new JwksCache({ baseUrl: `http://127.0.0.1:${await freePort()}`, fetch: counting }),
      revocation,
    });
    for (let i = 0; i < 5; i += 1) expect(await reason(down.verify(t.token, { slug: t.slug }))).toBe('unavailable');
    expect(count).toBe(1);
  });

  it('refuses a revoked session, and fails closed when revocation state cannot be read', async () => {
    const login = await app.call('POST', `/v1/t/${t.slug}/auth/login`, { email: `admin@${t.slug}.example`, password: PASSWORD }, { auth: false });
    const token = login.body.access_token;
    expect(await reason(verifier.verify(token, { slug: t.slug }))).toBe('accepted');
    expect((await app.call('POST', `/v1/t/${t.slug}/auth/logout`, undefined, { auth: token })).status).toBe(204);
    expect(await reason(verifier.verify(token, { slug: t.slug }))).toBe('revoked');

    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    dead.on('error', () => undefined);
    const closed = new AccessTokenVerifier({
      baseUrl: app.config.CREDENCE_BASE_URL,
      jwks: new JwksCache({ baseUrl: app.url }),
      revocation: new RedisRevocationCheck(dead, world.prefix),
    });
    expect(await reason(closed.verify(t.token, { slug: t.slug }))).toBe('unavailable');
    dead.disconnect();
  });

  it('guards a consuming service’s HTTP route with CredenceTokenGuard', async () => {
    @Controller('t/:tenant')
    class MeController {
      @Get('me')
      @UseGuards(CredenceTokenGuard)
      me(@Req() req: { credence: unknown }) {
        return req.credence;
      }
    }
    @Module({
      imports: [
        ConsumerKitModule.forRoot({ credenceUrl: app.config.CREDENCE_BASE_URL, jwksBaseUrl: app.url, redisUrl: world.redisUrl, redisPrefix: world.prefix, service: 'kit-test' }),
      ],
      controllers: [MeController],
    })
    class ServiceModule {}
    const service = await NestFactory.create<NestFastifyApplication>(ServiceModule, new FastifyAdapter(), { logger: false });
    await service.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(service.getHttpServer().address() as { port: number }).port}`;
      const ok = await fetch(`${url}/t/${t.slug}/me`, { headers: { authorization: `Bearer ${t.token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ tid: t.id });
      expect((await fetch(`${url}/t/${other.slug}/me`, { headers: { authorization: `Bearer ${t.token}` } })).status).toBe(401);
      expect((await fetch(`${url}/t/${t.slug}/me`)).status).toBe(401);
    } finally {
      await service.close();
    }
  });

  it('handles an event id once: duplicates are skipped, a failure lets the redelivery run', async () => {
    const idempotency = new Idempotency(world.redis, { prefix: `${world.prefix}:seen` });
    const runs: string[] = [];
    await expect(
      idempotency.once('e1', async () => {
        runs.push('fail');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(
      await idempotency.once('e1', async () => {
        runs.push('ok');
      }),
    ).toBe(true);
    expect(
      await idempotency.once('e1', async () => {
        runs.push('duplicate');
      }),
    ).toBe(false);
    expect(runs).toEqual(['fail', 'ok']);
  });

  it('runs a redelivery of an event whose consumer died mid-handling once its claim lapses, instead of dead-lettering it', async () => {
    const group = `g-${uniqueSlug('idem')}`;
    const subject = `order/${group}`;
    const idempotency = new Idempotency(world.redis, { prefix: `${world.prefix}:seen:${group}`, inProgressSeconds: 2 });
    const event = { id: randomUUID(), specversion: '1.0', type: 'tenant.updated', subject, tenantid: t.id, data: { tenant_id: t.id, slug: t.slug, changed: ['name'] } };
    // The instance that first got the event claimed it and died while handling it: nothing released the claim.
    void idempotency.once(event.id, () => new Promise<void>(() => undefined));
    const ran: string[] = [];
    const recorder: Recorder = { handled: [], subjects: subject, before: (e) => idempotency.once(e.id, async () => void ran.push(e.id)).then(() => undefined) };
    const consumer = await startRecordingConsumer({ url: world.redisUrl, prefix: world.prefix, partitions: 4, group, startFrom: '0' }, recorder);
    const publisher = new RedisStreamsClient({ url: world.redisUrl, prefix: world.prefix, partitions: 4 });
    try {
      // The transport's redelivery, as another instance of the group gets it.
      await publisher.publishBatch([{ pattern: event.type, key: subject, data: JSON.stringify(event) }]);
      await until('the redelivered event to be handled', () => ran.length > 0, 15_000);
      expect(ran).toEqual([event.id]);
      expect(await new DeadLetters(world.redis, world.prefix, group).list()).toEqual([]);
    } finally {
      await publisher.close();
      await consumer.app.close();
    }
  }, 30_000);

  it('answers identity.token.validate and identity.access.check over the transport with the same rules as HTTP', async () => {
    const client = new RedisStreamsClient({ url: world.redisUrl, prefix: world.prefix, rpcTimeoutMs: 10_000 });
    try {
      const validated: any = await lastValueFrom(client.send(IDENTITY_RPC.tokenValidate, { token: t.token, tenant: t.slug }));
      expect(validated).toMatchObject({ valid: true, claims: { tid: t.id, roles: ['tenant_admin'] } });
      const elsewhere = await lastValueFrom(client.send(IDENTITY_RPC.tokenValidate, { token: t.token, tenant: other.slug }));
      expect(elsewhere).toMatchObject({ valid: false, reason: 'unknown_key' });
      const malformed = await lastValueFrom(client.send(IDENTITY_RPC.tokenValidate, { token: 42 }));
      expect(malformed).toMatchObject({ valid: false, reason: 'malformed' });
      const wrongAudience = await lastValueFrom(client.send(IDENTITY_RPC.tokenValidate, { token: t.token, tenant: t.slug, audience: 'https://elsewhere.example' }));
      expect(wrongAudience).toMatchObject({ valid: false, reason: 'wrong_audience' });
      const sub = validated.claims.sub;
      const allowed: any = await lastValueFrom(client.send(IDENTITY_RPC.accessCheck, { tenant: t.slug, user_id: sub, resource: 'session', action: 'revoke' }));
      expect(allowed).toMatchObject({ allowed: true, reason: expect.stringContaining('session.revoke:any') });
      const unknown: any = await lastValueFrom(
        client.send(IDENTITY_RPC.accessCheck, { tenant: t.slug, user_id: '00000000-0000-4000-8000-000000000000', resource: 'session', action: 'revoke' }),
      );
      expect(unknown.allowed).toBe(false);
      // After sign-out the transport refuses the token too.
      expect((await app.call('POST', `/v1/t/${t.slug}/auth/logout`, undefined, { auth: t.token })).status).toBe(204);
      const revoked = await lastValueFrom(client.send(IDENTITY_RPC.tokenValidate, { token: t.token, tenant: t.slug }));
      expect(revoked).toMatchObject({ valid: false, reason: 'revoked' });
    } finally {
      await client.close();
    }
  });
});
