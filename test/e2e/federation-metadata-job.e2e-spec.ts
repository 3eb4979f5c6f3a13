import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { contractProblems, CredenceCloudEvent } from '@credence/contracts';
import { newSpCredential } from '@credence/federation';
import { JOBS, QUEUES } from '@credence/queues';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { createEventsWorld, EventsWorld } from '../support/events/events-world';
import { login, PASSWORD } from './identity-authz-fixture';
import { idpMetadata, pemBody } from '../support/saml-idp';

interface Tenant {
  id: string;
  slug: string;
  admin: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something, or fails after `ms` with what `describe` says. */
async function eventually<T>(probe: () => Promise<T | undefined>, ms: number, describe: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${await describe()}`);
    await sleep(200);
  }
}

/**
 * The scheduled IdP metadata refresh (BullMQ `federation` queue): with a two-second schedule, a new IdP
 * certificate published at the metadata URL reaches the connection with no API call; the sweep queues
 * only tenants that have SAML connections. A database and Redis prefix of this file's own, so the
 * sweep sees only these tenants and no other file's worker takes these jobs. The app is composed as
 * apps/platform composes it (auth, federation, audit), so the boot check of the job handlers holds
 * with every app's workers in one process.
 */
describe('federation metadata refresh job', () => {
  let world: EventsWorld;
  let t: TestApp;
  let server: Server;
  let idpBase: string;
  const served: Record<string, string> = {};

  const onboard = async (prefix: string): Promise<Tenant> => {
    const slug = uniqueSlug(prefix);
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    if (res.status !== 201) throw new Error(`onboarding failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, slug, admin: await login(t, slug, `admin@${slug}.example`) };
  };
  const create = async (tenant: Tenant, body: Record<string, unknown>) => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/connections`, body, { auth: tenant.admin });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; saml: { idp_certificates: string[] } };
  };
  const queue = () => t.app.get<Queue>(getQueueToken(QUEUES.federation), { strict: false });
  const eventsOf = async (id: string): Promise<CredenceCloudEvent[]> =>
    (await t.dataSource.query(`SELECT event FROM platform.outbox WHERE aggregate = $1 ORDER BY position`, [`connection/${id}`])).map(
      (r: { event: CredenceCloudEvent }) => r.event,
    );

  beforeAll(async () => {
    world = await createEventsWorld('fedmeta');
    server = createServer((req, res) => {
      const body = served[req.url ?? ''];
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    idpBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startTestApp([AuthAppModule, FederationAppModule, AuditAppModule], {
      DATABASE_URL: world.databaseUrl,
      REDIS_PREFIX: world.prefix,
      REDIS_URL: world.redisUrl,
      FEDERATION_METADATA_REFRESH_SECONDS: '2',
      RETENTION_ENABLED: 'false',
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await world?.cleanup();
  });

  it('keeps one schedule at FEDERATION_METADATA_REFRESH_SECONDS', async () => {
    expect((await queue().getJobScheduler('federation-metadata-sweep'))?.every).toBe(2_000);
  });

  it('picks up a rolled-over IdP certificate from the metadata URL with no API call, and sweeps only tenants with SAML connections', async () => {
    const oldCert = (await newSpCredential('IdP old', 'signing')).certificatePem;
    const newCert = (await newSpCredential('IdP new', 'signing')).certificatePem;
    const withSaml = await onboard('fedmeta-saml');
    const oidcOnly = await onboard('fedmeta-oidc');
    const none = await onboard('fedmeta-none');
    served['/idp'] = idpMetadata('https://rollover-idp.example', [oldCert], 'https://idp.example/sso');
    const conn = await create(withSaml, { type: 'saml', name: 'Rolling IdP', saml: { idp_metadata_url: `${idpBase}/idp` } });
    expect(pemBody(conn.saml.idp_certificates.join(''))).toBe(pemBody(oldCert));
    await create(oidcOnly, { type: 'oidc', name: 'An OP', oidc: { issuer: 'https://op.example', client_id: 'c', client_secret: 's' } });

    // The IdP rolls its key over: its metadata now lists only the new certificate.
    served['/idp'] = idpMetadata('https://rollover-idp.example', [newCert], 'https://idp.example/sso');
    const get = async () => (await t.call('GET', `/v1/t/${withSaml.slug}/connections/${conn.id}`, undefined, { auth: withSaml.admin })).body;
    const rolled = await eventually(
      async () => {
        const c = await get();
        return pemBody(c.saml.idp_certificates.join('')) === pemBody(newCert) ? c : undefined;
      },
      20_000,
      async () => JSON.stringify(await get()),
    );
    expect(rolled).toMatchObject({ status: 'active', status_detail: null });
    const updated = (await eventsOf(conn.id)).filter((e) => e.type === 'federation.connection.updated');
    expect(updated.at(-1)).toMatchObject({ actor: 'system:federation-metadata', data: { changed: ['saml.idp_certificates'] } });
    for (const e of updated) expect(contractProblems(e)).toEqual([]);

    // Let one more sweep finish after all three tenants exist, then read what the sweeps queued.
    const since = Date.now();
    const sweeps = await eventually(
      async () => {
        const done = (await queue().getJobs(['completed'])).filter((j) => j.name === JOBS.federationMetadataSweep && (j.finishedOn ?? 0) > since);
        return done.length ? done : undefined;
      },
      20_000,
      async () => JSON.stringify(await queue().getJobCounts()),
    );
    expect(sweeps[0].returnvalue).toEqual({ tenants: 3, queued: 1 });
    const tenantJobs = (await queue().getJobs(['completed', 'waiting', 'active', 'delayed', 'failed'])).filter((j) => j.name === JOBS.federationMetadataTenant);
    const refreshed = new Set(tenantJobs.map((j) => j.data.tenantId));
    expect(refreshed).toEqual(new Set([withSaml.id]));
    expect(refreshed.has(oidcOnly.id)).toBe(false);
    expect(refreshed.has(none.id)).toBe(false);
    expect(tenantJobs.filter((j) => j.failedReason)).toEqual([]);
  }, 60_000);

  it('skips a tenant suspended after its job was queued', async () => {
    const tenant = await onboard('fedmeta-susp');
    served['/susp'] = idpMetadata('https://susp-idp.example', [(await newSpCredential('IdP', 'signing')).certificatePem], 'https://idp.example/sso');
    await create(tenant, { type: 'saml', name: 'IdP', saml: { idp_metadata_url: `${idpBase}/susp` } });
    expect((await t.call('POST', `/v1/admin/tenants/${tenant.slug}/suspend`, {})).status).toBeLessThan(300);
    const job = await queue().add(JOBS.federationMetadataTenant, { tenantId: tenant.id });
    await eventually(
      async () => ((await job.getState()) === 'completed' ? true : undefined),
      10_000,
      async () => String(await job.getState()),
    );
    expect((await queue().getJob(job.id!))?.returnvalue).toBe('skipped');
  });

  it('reports the federation queue in /metrics and /health, as the retention queue', async () => {
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(metrics).toContain(`credence_queue_jobs{queue="federation",state="${state}"}`);
    const health = await t.call('GET', '/health', undefined, { auth: false });
    expect(health.status).toBe(200);
    expect(JSON.stringify(health.body)).toContain('queues');
  });
});
