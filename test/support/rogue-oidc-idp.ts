import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import * as jose from 'jose';

/** How the next answers go wrong (each test sets one). */
export interface RogueBehaviour {
  /** Claims laid over the ID token's (nonce, iss, aud, exp...). */
  claims?: Record<string, unknown>;
  /** Sign with a key that is not published (its own kid), or forge: that key under the published key's kid. */
  signWith?: 'published' | 'unpublished' | 'forged';
  /** An unsigned ID token (alg none). */
  algNone?: boolean;
  /** The authorization response's iss: a wrong value, or none at all. */
  authIss?: string | null;
  /** The sub userinfo answers with, when not the ID token's; the ID token then carries no email, so userinfo is read. */
  userinfoSub?: string;
  /** The token endpoint never answers. */
  stallToken?: boolean;
  /** The authorization response is this OAuth error (error=access_denied...). */
  authError?: string;
  /** The token endpoint answers this OAuth error. */
  tokenError?: string;
}

/**
 * An OpenID Provider of the tests' own making (node:http + jose) that answers the code flow correctly
 * unless told how to misbehave: the refusals of the relying party are tested against it.
 */
export interface RogueIdp {
  issuer: string;
  behaviour: RogueBehaviour;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** How many times userinfo was called. */
  userinfoCalls: number;
  /** How many requests reached the token endpoint. */
  tokenCalls: number;
  /** A new published key (the IdP rotates): the old one is no longer in the JWKS. */
  rotate(): Promise<void>;
  /** Where the IdP sends the browser back for this authorization URL. */
  authorize(url: URL): Promise<URL>;
  close(): Promise<void>;
}

export async function startRogueIdp(clientId: string, subject = () => `rogue-${Date.now()}-${Math.random().toString(36).slice(2)}`): Promise<RogueIdp> {
  const newKey = async (kid: string) => ({ kid, ...(await jose.generateKeyPair('RS256', { extractable: true })) });
  let published = await newKey('k1');
  const unpublished = await newKey('rogue-unpublished');
  const codes = new Map<string, { nonce: string; sub: string }>();
  const stalled: ServerResponse[] = [];
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const rogue: RogueIdp = {
    issuer,
    behaviour: {},
    jwksFetches: 0,
    userinfoCalls: 0,
    tokenCalls: 0,
    rotate: async () => {
      published = await newKey(`k${Date.now()}`);
    },
    authorize: async (url) => {
      const res = await fetch(url, { redirect: 'manual' });
      return new URL(res.headers.get('location')!);
    },
    close: () => {
      for (const r of stalled) r.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const json = (res: ServerResponse, body: unknown, status = 200): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  async function idToken(nonce: string, sub: string): Promise<string> {
    const b = rogue.behaviour;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer, aud: clientId, sub, nonce, iat: now, exp: now + 300, ...(b.userinfoSub ? {} : { email: `${sub}@rogue.example` }), ...b.claims };
    if (b.algNone) {
      const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
    }
    const key = b.signWith === 'unpublished' ? unpublished : published;
    const kid = b.signWith === 'forged' ? published.kid : key.kid;
    return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(b.signWith === 'forged' ? unpublished.privateKey : key.privateKey);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, issuer);
    let body = '';
    for await (const chunk of req) body += chunk;
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === '/jwks') {
      rogue.jwksFetches += 1;
      return json(res, { keys: [{ ...(await jose.exportJWK(published.publicKey)), kid: published.kid, alg: 'RS256', use: 'sig' }] });
    }
    if (url.pathname === '/auth') {
      const code = `code-${Math.random().toString(36).slice(2)}`;
      codes.set(code, { nonce: url.searchParams.get('nonce')!, sub: subject() });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      if (rogue.behaviour.authError) back.searchParams.set('error', rogue.behaviour.authError);
      else back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      const iss = rogue.behaviour.authIss === undefined ? issuer : rogue.behaviour.authIss;
      if (iss !== null) back.searchParams.set('iss', iss);
      return void res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token') {
      rogue.tokenCalls += 1;
      if (rogue.behaviour.stallToken) return void stalled.push(res);
      if (rogue.behaviour.tokenError) return json(res, { error: rogue.behaviour.tokenError }, 400);
      const grant = codes.get(new URLSearchParams(body).get('code') ?? '');
      if (!grant) return json(res, { error: 'invalid_grant' }, 400);
      codes.delete(new URLSearchParams(body).get('code')!);
      return json(res, { access_token: `at:${grant.sub}`, token_type: 'Bearer', expires_in: 300, id_token: await idToken(grant.nonce, grant.sub) });
    }
    if (url.pathname === '/userinfo') {
      rogue.userinfoCalls += 1;
      const sub = (req.headers.authorization ?? '').replace(/^Bearer at:/, '');
      return json(res, { sub: rogue.behaviour.userinfoSub ?? sub, email: `${sub}@rogue.example` });
    }
    res.writeHead(404).end();
  }

  return rogue;
}
