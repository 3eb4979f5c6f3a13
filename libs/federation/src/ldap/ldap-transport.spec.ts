import { createServer } from 'node:net';
import type { LdapSettings } from '../connections/connection';
import { OutboundFetch } from '../outbound/outbound-fetch';
import { ldapUrlProblem, openLdapClient } from './ldap-transport';
import { LdapUnavailable } from './ldap-unavailable';

const settings = (over: Partial<LdapSettings>): LdapSettings => ({
  url: 'ldaps://ldap.example',
  start_tls: false,
  bind_dn: 'cn=svc',
  user_search_base: 'dc=example',
  user_search_filter: '(uid={{username}})',
  timeout_ms: 500,
  ...over,
});

const failure = async (p: Promise<unknown>): Promise<string> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LdapUnavailable);
  return (err as LdapUnavailable).detail;
};

describe('ldapUrlProblem', () => {
  it('allows ldaps:// and StartTLS everywhere, plain ldap:// only outside production', () => {
    expect(ldapUrlProblem({ url: 'ldaps://dc.corp.example', start_tls: false }, true)).toBeUndefined();
    expect(ldapUrlProblem({ url: 'ldap://dc.corp.example', start_tls: true }, true)).toBeUndefined();
    expect(ldapUrlProblem({ url: 'ldap://dc.corp.example', start_tls: false }, true)).toMatch(/ldaps:\/\/ or use start_tls/);
    expect(ldapUrlProblem({ url: 'ldap://dc.corp.example', start_tls: false }, false)).toBeUndefined();
    expect(ldapUrlProblem({ url: 'http://dc.corp.example', start_tls: false }, false)).toMatch(/ldap:\/\/ or ldaps:\/\//);
  });
});

describe('openLdapClient and the address policy', () => {
  it('refuses loopback and private addresses in production before connecting, and plain ldap:// without StartTLS', async () => {
    const production = new OutboundFetch({ NODE_ENV: 'production', FEDERATION_ALLOWED_HOSTS: '' });
    let connections = 0;
    const server = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await failure(openLdapClient(settings({ url: `ldap://127.0.0.1:${port}`, start_tls: true }), production, 500))).toMatch(/loopback/);
      expect(await failure(openLdapClient(settings({ url: 'ldaps://10.1.2.3' }), production, 500))).toMatch(/private/);
      expect(await failure(openLdapClient(settings({ url: 'ldaps://169.254.169.254' }), production, 500))).toMatch(/link-local/);
      expect(await failure(openLdapClient(settings({ url: `ldap://127.0.0.1:${port}` }), production, 500))).toMatch(/start_tls/);
      expect(connections).toBe(0);
      // Listed in FEDERATION_ALLOWED_HOSTS: vetting passes and the StartTLS attempt reaches the server (which hangs up).
      const allowed = new OutboundFetch({ NODE_ENV: 'production', FEDERATION_ALLOWED_HOSTS: `127.0.0.1:${port}` });
      expect(await failure(openLdapClient(settings({ url: `ldap://127.0.0.1:${port}`, start_tls: true }), allowed, 500))).toMatch(/StartTLS/);
      expect(connections).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
