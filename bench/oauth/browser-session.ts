/**
 * How the OAuth bench gets a live Credence browser session (cookies `credence_session` and
 * `credence_binding`, path /v1/t/{slug}/) for a user, once per simulated browser, before measuring.
 *
 * ┌──────────────────────────────────────────────────────────────────────────────────────────────┐
 * │ TO FINISH once /oauth2/authorize and the hosted login page land (issue 11): check the steps  │
 * │ below against the real page (form action, field names, CSRF field, where the code arrives).   │
 * │ Everything else in the bench depends only on the contract; this is the one guess.            │
 * └──────────────────────────────────────────────────────────────────────────────────────────────┘
 */
import { createHash, randomBytes } from 'node:crypto';

export interface BrowserSession {
  /** The Cookie header a browser of this session sends to /v1/t/{slug}/... */
  cookie: string;
}

export interface SessionRequest {
  url: string;
  slug: string;
  clientId: string;
  redirectUri: string;
  email: string;
  password: string;
  /** Sent as X-Forwarded-For, so per-IP login limits see many clients (the app trusts 127.0.0.1). */
  ip: string;
}

/** A cookie jar for one host: name → value from Set-Cookie (paths ignored: every cookie here is the tenant's). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1]?.replace(/&amp;/g, '&');

/** The form that holds a password field: its action and every named input, as a browser would submit it. */
function passwordForm(html: string, base: string): { action: string; fields: Map<string, string> } {
  for (const form of html.match(/<form\b[\s\S]*?<\/form>/gi) ?? []) {
    const inputs = form.match(/<input\b[^>]*>/gi) ?? [];
    if (!inputs.some((i) => attr(i, 'type') === 'password')) continue;
    const fields = new Map<string, string>();
    for (const input of inputs) {
      const name = attr(input, 'name');
      if (name) fields.set(name, attr(input, 'value') ?? '');
    }
    return { action: new URL(attr(form.match(/<form\b[^>]*>/i)![0], 'action') ?? '', base).href, fields };
  }
  throw new Error('the hosted login page has no form with a password field');
}

/**
 * Signs `email` in through the hosted login page the way a browser does: GET /oauth2/authorize
 * (interaction + binding cookie) → follow to /login → POST the password form with its CSRF field →
 * 302 back to the app with a code, and the Credence session cookie set. The code is left unused.
 */
export async function obtainBrowserSession(r: SessionRequest): Promise<BrowserSession> {
  const jar = new Jar();
  const headers = () => ({ cookie: jar.header(), 'x-forwarded-for': r.ip });
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${r.url}/v1/t/${r.slug}/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    scope: 'openid',
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  // Follow redirects by hand (fetch does not keep cookies) until a page, or the app's redirect URI.
  let location = authorize.href;
  let res: Response | undefined;
  for (let hops = 0; hops < 5; hops++) {
    res = await fetch(location, { redirect: 'manual', headers: headers() });
    jar.take(res);
    if (res.status < 300 || res.status >= 400) break;
    location = new URL(res.headers.get('location')!, location).href;
    if (location.startsWith(r.redirectUri)) throw new Error('authorize answered with a code before any sign-in: a session already existed?');
  }
  if (res?.status !== 200) throw new Error(`the hosted login page answered ${res?.status} at ${location}`);

  const form = passwordForm(await res.text(), location);
  for (const name of form.fields.keys()) {
    if (/mail|login|user/i.test(name) && !form.fields.get(name)) form.fields.set(name, r.email);
    if (/password/i.test(name)) form.fields.set(name, r.password);
  }
  const posted = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded', origin: new URL(r.url).origin },
    body: new URLSearchParams([...form.fields]).toString(),
  });
  jar.take(posted);
  if (posted.status < 300 || posted.status >= 400) throw new Error(`signing in on the hosted page answered ${posted.status}: ${(await posted.text()).slice(0, 200)}`);
  // Back to the app, possibly through Credence's own routes (e.g. the authorize endpoint resuming the interaction).
  location = new URL(posted.headers.get('location')!, form.action).href;
  for (let hops = 0; !location.startsWith(r.redirectUri); hops++) {
    if (hops >= 5) throw new Error(`signing in did not lead back to the app (last at ${location})`);
    const hop = await fetch(location, { redirect: 'manual', headers: headers() });
    jar.take(hop);
    if (hop.status < 300 || hop.status >= 400) throw new Error(`after signing in, ${location} answered ${hop.status}`);
    location = new URL(hop.headers.get('location')!, location).href;
  }
  if (!jar.has('credence_session')) throw new Error('signed in, but no credence_session cookie was set');
  return { cookie: jar.header() };
}
