import * as client from 'openid-client';
import type { TestApp } from '@credence/testing';
import { eventsOf, Tenant } from './identity-authz-fixture';
import { confidentialRelyingParty, testAppUrls } from '../support/openid-client';

export const APP_CALLBACK = 'https://rp.example.com/callback';

/** An app of the tenant (openid-client, confidential) that signs in through an OIDC connection of Credence. */
export async function relyingApp(t: TestApp, tenant: Tenant): Promise<client.Configuration> {
  const res = await t.call('POST', `/v1/t/${tenant.slug}/applications`, { name: 'RP', type: 'confidential', redirect_uris: [APP_CALLBACK] }, { auth: tenant.admin });
  if (res.status !== 201) throw new Error(`application: ${res.status}`);
  const config = await confidentialRelyingParty(t, tenant.slug, res.body);
  client.enableNonRepudiationChecks(config);
  return config;
}

export async function createOidcConnection(t: TestApp, tenant: Tenant, oidc: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await t.call(
    'POST',
    `/v1/t/${tenant.slug}/connections`,
    { type: 'oidc', name: 'OIDC IdP', jit: { enabled: true, default_roles: [] }, oidc, ...extra },
    { auth: tenant.admin },
  );
  if (res.status !== 201) throw new Error(`connection: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; oidc: { redirect_uri: string } };
}

export interface Started {
  verifier: string;
  state: string;
  nonce: string;
  /** Where Credence sent the browser: the IdP's authorization endpoint. */
  idpUrl: URL;
  /** The credence_binding cookie (name=value). */
  binding: string;
}

/** The app's /oauth2/authorize?connection= at Credence, up to the redirect to the IdP. */
export async function startAtCredence(t: TestApp, config: client.Configuration, connectionId: string): Promise<Started> {
  const { local } = testAppUrls(() => t);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: APP_CALLBACK,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    connection: connectionId,
  });
  const res = await fetch(local(url), { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  const binding = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('credence_binding='))!
    .split(';')[0];
  return { verifier, state, nonce, idpUrl: new URL(res.headers.get('location')!), binding };
}

/** The browser back at Credence's callback (the IdP's redirect), with or without its binding cookie. */
export function callCallback(t: TestApp, callback: URL, binding?: string): Promise<Response> {
  const { local } = testAppUrls(() => t);
  return fetch(local(callback.href), { redirect: 'manual', headers: binding ? { cookie: binding } : {} });
}

export async function failures(t: TestApp, tenant: Tenant): Promise<string[]> {
  return (await eventsOf(t, tenant, 'federation.login.failed')).map((e) => e.data.reason);
}

export async function counts(t: TestApp, tenant: Tenant) {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM "${tenant.schema}".users) AS users, (SELECT count(*)::int FROM "${tenant.schema}".browser_sessions) AS sessions,
            (SELECT count(*)::int FROM "${tenant.schema}".federated_identities) AS links`,
  );
  return row as { users: number; sessions: number; links: number };
}
