/**
 * A web app that signs users in through Credence (OpenID Connect, authorization code flow with PKCE)
 * using openid-client 6. `npm run example:oidc`; setup in README.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as client from 'openid-client';
import { claimsTable, escapeHtml, page } from './html';
import { settings } from './settings';

const SCOPE = 'openid profile email offline_access';
const COOKIE = 'oidc_example_session';
const MAX_SESSIONS = 10_000;

/** What this app keeps per browser, server side: the pending login's secrets, then the tokens. */
interface Session {
  pending?: { codeVerifier: string; state: string; nonce: string };
  tokens?: { idToken: string; accessToken: string; refreshToken?: string; claims: client.IDToken };
}
const sessions = new Map<string, Session>();

// ---------------------------------------------------------------- OpenID Provider

const insecureAllowed = settings.issuer.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(settings.issuer.hostname);
let discovered: Promise<client.Configuration> | undefined;

/** Discovery on first use (the app starts while Credence is down), retried after a failure. */
function provider(): Promise<client.Configuration> {
  discovered ??= client
    .discovery(
      settings.issuer,
      settings.clientId,
      { id_token_signed_response_alg: 'ES256' },
      settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
      // Plain http is for a Credence on this machine only.
      { execute: insecureAllowed ? [client.allowInsecureRequests] : [] },
    )
    .then((config) => {
      // Also check the ID token's signature against the tenant's JWKS (openid-client skips it by default).
      client.enableNonRepudiationChecks(config);
      return config;
    })
    .catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
  return discovered;
}

// ---------------------------------------------------------------- sessions (an HttpOnly cookie names one)

const sessionIdOf = (req: IncomingMessage) => new RegExp(`(?:^|;\\s*)${COOKIE}=([\\w-]{43})(?:;|$)`).exec(req.headers.cookie ?? '')?.[1];

function sessionOf(req: IncomingMessage): Session | undefined {
  const id = sessionIdOf(req);
  return id ? sessions.get(id) : undefined;
}

function startSession(res: ServerResponse): Session {
  const id = randomBytes(32).toString('base64url');
  const session: Session = {};
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!); // the oldest
  sessions.set(id, session);
  const secure = settings.appUrl.startsWith('https:') ? '; Secure' : '';
  res.setHeader('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax${secure}`);
  return session;
}

function endSession(req: IncomingMessage, res: ServerResponse): void {
  const id = sessionIdOf(req);
  if (id) sessions.delete(id);
  res.setHeader('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}

// ---------------------------------------------------------------- routes

async function home(session: Session | undefined): Promise<string> {
  const tokens = session?.tokens;
  if (!tokens) return page('Example app', `<p>You are signed out.</p>\n<p><a href="/login">Sign in</a> with Credence</p>`);
  let userinfo: string;
  try {
    const info = await client.fetchUserInfo(await provider(), tokens.accessToken, tokens.claims.sub);
    userinfo = claimsTable('userinfo response', info);
  } catch (err) {
    userinfo = `<p class="error">userinfo failed: ${escapeHtml(String(err))}</p>`;
  }
  // Buttons that POST: a link (GET) to /logout would let any site sign the user out with an image or a link.
  const action = (path: string, label: string) => `<form method="post" action="${path}"><button>${label}</button></form>`;
  const nav = `<nav>${tokens.refreshToken ? action('/refresh', 'Refresh tokens') : ''}${action('/logout', 'Sign out')}</nav>`;
  return page(
    'Example app',
    `<p>Signed in as ${escapeHtml(tokens.claims.email ?? tokens.claims.sub)}.</p>\n${nav}\n${claimsTable('ID token claims', tokens.claims)}\n${userinfo}`,
  );
}

async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const config = await provider();
  const session = sessionOf(req) ?? startSession(res);
  const pending = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
  session.pending = pending;
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${settings.appUrl}/callback`,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  redirect(res, url.href);
}

async function callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const session = sessionOf(req);
  const pending = session?.pending;
  if (!session || !pending) return redirect(res, '/'); // no login started in this browser
  session.pending = undefined; // one attempt per login
  // Checks state, iss (RFC 9207, when advertised), the code exchange with the PKCE verifier, and the ID token's nonce.
  const tokens = await client.authorizationCodeGrant(await provider(), new URL(req.url!, settings.appUrl), {
    pkceCodeVerifier: pending.codeVerifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  // A new session id for the signed-in session: an id planted in the browser before sign-in (session fixation) gets nothing.
  endSession(req, res);
  startSession(res).tokens = { idToken: tokens.id_token!, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, claims: tokens.claims()! };
  redirect(res, '/');
}

async function refresh(session: Session | undefined, res: ServerResponse): Promise<void> {
  const current = session?.tokens;
  if (!current?.refreshToken) return redirect(res, '/');
  const tokens = await client.refreshTokenGrant(await provider(), current.refreshToken);
  session!.tokens = {
    idToken: tokens.id_token ?? current.idToken,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? current.refreshToken,
    claims: tokens.claims() ?? current.claims,
  };
  redirect(res, '/');
}

async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const idToken = sessionOf(req)?.tokens?.idToken;
  endSession(req, res);
  if (!idToken) return redirect(res, '/');
  const url = client.buildEndSessionUrl(await provider(), { id_token_hint: idToken, post_logout_redirect_uri: `${settings.appUrl}/` });
  redirect(res, url.href);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' }).end();
}

// ---------------------------------------------------------------- server

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', settings.appUrl).pathname;
  const handle = async () => {
    const changes = path === '/refresh' || path === '/logout';
    if (req.method !== (changes ? 'POST' : 'GET')) return void res.writeHead(405, { allow: changes ? 'POST' : 'GET' }).end();
    // The session cookie is SameSite=Lax, so another site's form posts without it; a foreign Origin is refused outright too.
    if (changes && req.headers.origin !== undefined && req.headers.origin !== new URL(settings.appUrl).origin)
      return send(res, 403, page('Refused', '<p>Not from this app.</p>'));
    if (path === '/') return send(res, 200, await home(sessionOf(req)));
    if (path === '/login') return login(req, res);
    if (path === '/callback') return callback(req, res);
    if (path === '/refresh') return refresh(sessionOf(req), res);
    if (path === '/logout') return logout(req, res);
    send(res, 404, page('Not found', '<p><a href="/">Home</a></p>'));
  };
  handle().catch((err: unknown) => {
    const detail = err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError ? `${err.error}: ${err.error_description ?? ''}` : String(err);
    if (!res.headersSent) send(res, 502, page('Sign-in problem', `<p class="error">${escapeHtml(detail)}</p>\n<p><a href="/">Home</a></p>`));
  });
});

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

server.listen(settings.port, settings.host, () => {
  process.stdout.write(`example app on ${settings.appUrl} (issuer ${settings.issuer.href}, client ${settings.clientId}, ${settings.clientSecret ? 'confidential' : 'public'})\n`);
});
