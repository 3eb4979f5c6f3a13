import { performance } from 'node:perf_hooks';
import { newSpCredential, samlSpUrls, SamlVerifier } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { verifySamlResponse } from '../../libs/federation/src/saml/saml-response';
import { craftResponse, idOf, insertSamlConnection, signElement } from '../support/saml-idp';

/** Below SAML_MAX_MARKUP (1,024): the document is parsed and its signature checked before it is refused. */
const PADDING = 960;

/**
 * SAML messages are parsed and checked in worker threads (SamlVerifier, piscina), not on the event loop:
 * a crafted Response just under the element limit, whose checks cost tens of milliseconds, leaves the
 * loop free; a full queue answers 503 with Retry-After instead of queueing without bound; the threads
 * stop with the app. One verification thread and a queue of 2, so the queue fills on purpose.
 */
describe('SAML verification off the event loop', () => {
  let t: TestApp;
  let acme: Tenant;
  let conn: { id: string };
  let idp: { key: string; cert: string };
  let forger: { key: string; cert: string };

  const urls = () => samlSpUrls(t.config.CREDENCE_BASE_URL, acme.slug, conn.id);
  const acsPath = () => new URL(urls().acs).pathname;
  const post = (xml: string) =>
    fetch(`${t.url}${acsPath()}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64') }).toString(),
    });
  /** A Response signed by a key the connection does not trust, padded with empty elements: every scan of the signature check runs, then signature_invalid. */
  const nearLimit = () => {
    const xml = craftResponse({ acsUrl: urls().acs, spEntityId: urls().metadata, nameId: `near-${Date.now()}@limit.example` });
    const signed = signElement(xml, idOf(xml, 'Assertion'), forger.key, forger.cert);
    const at = signed.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length;
    return signed.slice(0, at) + '<e/>'.repeat(PADDING) + signed.slice(at);
  };
  const expectations = () => ({
    acsUrl: urls().acs,
    spEntityId: urls().metadata,
    idpEntityId: 'https://idp.test/metadata',
    idpCertificates: [idp.cert],
    allowSha1: false,
    now: Date.now(),
    decryptionKeys: async () => [],
  });
  const failures = async () => (await eventsOf(t, acme, 'federation.login.failed')).map((e) => e.data.reason as string);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { SAML_VERIFY_THREADS: '1', SAML_VERIFY_QUEUE: '2' });
    acme = await onboard(t, 'saml-pool');
    const [i, f] = await Promise.all([newSpCredential('IdP', 'signing'), newSpCredential('Forger', 'signing')]);
    idp = { key: i.privateKeyPem, cert: i.certificatePem };
    forger = { key: f.privateKeyPem, cert: f.certificatePem };
    conn = await insertSamlConnection(t, acme, idp);
    expect((await post(nearLimit())).status).toBe(400); // the thread starts (and compiles) here, not while measured
  });
  afterAll(() => t?.close());

  it('refuses a crafted Response just under the element limit with the same reason, its checks costing the event loop next to nothing', async () => {
    // What the same checks cost when they run on the loop (as they did before SamlVerifier).
    const onLoop: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const xml = nearLimit();
      const t0 = performance.now();
      await expect(verifySamlResponse(xml, expectations())).rejects.toMatchObject({ reason: 'signature_invalid' });
      onLoop.push(performance.now() - t0);
    }
    const direct = onLoop.sort((a, b) => a - b)[1];

    const before = (await failures()).length;
    const messages = Array.from({ length: 6 }, nearLimit);
    const statuses: number[] = [];
    const from = performance.eventLoopUtilization();
    for (const xml of messages) statuses.push((await post(xml)).status);
    const used = performance.eventLoopUtilization(from);
    expect(statuses).toEqual(Array(6).fill(400));
    expect((await failures()).slice(before)).toEqual(Array(6).fill('signature_invalid'));
    // The loop's busy time per request (HTTP, the refusal's transaction, this test's client) is a fraction of the checks' own cost.
    const busyPerRequest = used.active / messages.length;
    expect(busyPerRequest).toBeLessThan(direct / 2);
  });

  it('answers 503 with Retry-After when the queue is full, records no refusal for those, and verifies again afterwards', async () => {
    const before = (await failures()).length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(nearLimit())));
    const statuses = answers.map((r) => r.status);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await r.text()).toContain('Try again in a few minutes');
    }
    expect(statuses.filter((s) => s !== 503 && s !== 400)).toEqual([]);
    // Only the messages that were checked are refusals in the trail.
    expect((await failures()).slice(before)).toEqual(Array(statuses.filter((s) => s === 400).length).fill('signature_invalid'));

    // A properly signed Response is verified in the worker again: it gets past every signature check.
    const xml = craftResponse({ acsUrl: urls().acs, spEntityId: urls().metadata, nameId: 'after@limit.example' });
    expect((await post(signElement(xml, idOf(xml, 'Assertion'), idp.key, idp.cert))).status).toBe(400);
    expect((await failures()).at(-1)).toBe('idp_initiated_refused');
  });

  it('stops its threads with the app, and refuses work after that', async () => {
    const other = await startTestApp([AuthAppModule], { SAML_VERIFY_THREADS: '2' });
    const verifier = other.app.get(SamlVerifier);
    const expectations = { acsUrl: 'https://sp.example/acs', spEntityId: 'https://sp.example', idpEntityId: 'https://idp.example', idpCertificates: [idp.cert] };
    const check = () =>
      verifier.response('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', {
        ...expectations,
        allowSha1: false,
        now: Date.now(),
        decryptionKeys: async () => [],
      });
    await expect(check()).rejects.toMatchObject({ reason: 'idp_error' });
    const threads = [...(verifier as unknown as { pool: { threads: { threadId: number }[] } }).pool.threads];
    expect(threads).toHaveLength(2);
    await other.close();
    // A worker that has exited reports threadId -1.
    expect(threads.map((w) => w.threadId)).toEqual([-1, -1]);
    await expect(check()).rejects.toMatchObject({ code: 'service.unavailable' });
  });
});
