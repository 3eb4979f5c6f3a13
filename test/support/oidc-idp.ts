import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** oidc-provider (a real OpenID Provider) in a process of its own on a loopback port: see oidc-idp-server.mjs. */
export interface TestOidcIdp {
  issuer: string;
  /** Registers a client (its metadata as oidc-provider takes it: client_id, client_secret, redirect_uris, ...). */
  addClient(metadata: Record<string, unknown>): Promise<void>;
  /**
   * Drives the IdP as a browser would, headless, with a cookie jar of its own: the authorization URL,
   * the login form (any login name signs in as that subject), and back. Returns where the IdP sends
   * the browser (the relying party's redirect_uri with code, state and iss).
   */
  signIn(authorizationUrl: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

function keep(jar: Map<string, string>, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

/** `claimsInIdToken`: the ID token carries email and profile claims (otherwise only userinfo does). */
export async function startOidcIdp(options: { claimsInIdToken?: boolean } = {}): Promise<TestOidcIdp> {
  const env = { ...process.env, OIDC_IDP_CLAIMS_IN_ID_TOKEN: options.claimsInIdToken ? '1' : '0' };
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-idp-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`oidc-provider exited with ${code}`)));
  });
  const issuer = `http://127.0.0.1:${port}`;

  async function signIn(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    let url = authorizationUrl;
    for (let hop = 0; hop < 10; hop += 1) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
      keep(jar, res);
      const location = res.headers.get('location');
      if (location) {
        const next = new URL(location, url);
        if (next.origin !== issuer) return next;
        url = next.href;
        continue;
      }
      const page = await res.text();
      const action = /action="([^"]+)"/.exec(page);
      if (res.status !== 200 || !action) throw new Error(`oidc-provider answered ${res.status}: ${page.slice(0, 300)}`);
      const submitted = await fetch(new URL(action[1], url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      });
      keep(jar, submitted);
      url = new URL(submitted.headers.get('location')!, url).href;
    }
    throw new Error('too many redirects at oidc-provider');
  }

  return {
    issuer,
    signIn,
    addClient: async (metadata) => {
      const res = await fetch(`${issuer}/__clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
      if (res.status !== 204) throw new Error(`adding a client answered ${res.status}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
