// A real OpenID Provider (oidc-provider 8, ESM) for the OIDC relying-party tests and bench:oidc, run as
// its own process so jest never loads it. It prints `listening <port>` when ready; clients are added
// at run time with POST /__clients (JSON client metadata), because each connection's redirect_uri is
// known only once the connection exists. Any login name signs in; consent is granted up front.
// OIDC_IDP_CLAIMS_IN_ID_TOKEN=1 puts the scopes' claims in the ID token too (as Entra ID, Okta and
// Google do); otherwise they are in userinfo only (oidc-provider's default, OIDC Core §5.4).
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const stores = new Map();
class MapAdapter {
  constructor(model) {
    this.model = model;
    if (!stores.has(model)) stores.set(model, new Map());
    this.store = stores.get(model);
  }
  async upsert(id, payload) {
    this.store.set(id, payload);
  }
  async find(id) {
    return this.store.get(id);
  }
  async findByUserCode() {
    return undefined;
  }
  async findByUid(uid) {
    for (const p of this.store.values()) if (p.uid === uid) return p;
    return undefined;
  }
  async consume(id) {
    const p = this.store.get(id);
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    this.store.delete(id);
  }
  async revokeByGrantId(grantId) {
    for (const [id, p] of this.store) if (p.grantId === grantId) this.store.delete(id);
  }
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    adapter: MapAdapter,
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-idp-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name', 'groups'] },
    scopes: ['openid', 'email', 'profile'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        email: id.includes('@') ? id : undefined,
        email_verified: true,
        given_name: 'Ada',
        family_name: 'Lovelace',
        groups: id.startsWith('eng') ? ['engineering'] : [],
      }),
    }),
    // Consent granted up front: each login is one form post.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    conformIdTokenClaims: process.env.OIDC_IDP_CLAIMS_IN_ID_TOKEN !== '1',
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  provider.proxy = false;
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/__clients') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const meta = JSON.parse(body);
        await new MapAdapter('Client').upsert(meta.client_id, meta);
        res.writeHead(204).end();
      });
      return;
    }
    handle(req, res);
  });
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
