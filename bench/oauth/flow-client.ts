/**
 * Child process of the OAuth bench (forked by oauth-flow.bench.ts, never run by hand): load
 * generation off the app's event loop. Protocol over IPC as bench/auth/load-client.ts: `init` →
 * `ready`; `mint` → `minted` (exchange mode); `start`; `snapshot` → `window`; `stop` → `stopped`.
 *
 * Modes:
 *   flow      closed loops of a full code flow with a live browser session: GET /oauth2/authorize
 *             with the session cookies → 302 to the redirect URI with code, state, iss → POST
 *             /oauth2/token (authorization_code, code_verifier, client_secret_basic) → 200 with an ID token;
 *   exchange  `mint` first runs authorize requests to fill a pool of fresh codes (not measured as
 *             exchanges); `start` then runs closed loops of token exchanges only, each taking a code,
 *             or, with `ratePerS`, starts exchanges on a fixed schedule whatever the answers (open
 *             loop), each latency counted from the exchange's scheduled send time;
 *   refresh   closed loops, each its own chain: one code flow with `offline_access` (in the warm-up), then
 *             POST /oauth2/token (refresh_token, client_secret_basic) → 200 with a new refresh token and an
 *             ID token, the next call presenting the new token.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';
import { now, round, Workload } from '../auth/shared';

export interface FlowTarget {
  url: string;
  slug: string;
  /** The tenant's issuer from discovery: `iss` on the authorization response must equal it (RFC 9207). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Cookie headers of live browser sessions; loop i uses cookies[i % length]. */
  cookies: string[];
}

/** `sockets`: keep-alive connections to the app (default `concurrency`; a paced run needs room for a backlog). */
export type FlowInit = { cmd: 'init'; mode: 'flow' | 'exchange' | 'refresh'; target: FlowTarget; concurrency: number; sockets?: number };
export type FlowMessage = FlowInit | { cmd: 'mint'; codes: number; concurrency: number } | { cmd: 'start'; ratePerS?: number } | { cmd: 'snapshot' } | { cmd: 'stop' };

const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, undefined, undefined, () => resolve()));

class FlowFailure extends Error {
  constructor(
    readonly kind: string,
    readonly fatal = false,
  ) {
    super(kind);
  }
}

/** A client address per request, so per-IP limits see many clients (the app trusts 127.0.0.1 as proxy). */
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function client(t: FlowTarget, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const { hostname, port } = new URL(t.url);
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(t.clientId)}:${encodeURIComponent(t.clientSecret)}`).toString('base64')}`;
  const http = (method: string, path: string, headers: Record<string, string | number>, body?: string) =>
    new Promise<{ status: number; location?: string; text: string }>((resolve, reject) => {
      const req = request({ agent, hostname, port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });

  /** GET /oauth2/authorize with a session: the code and the verifier it is bound to. */
  async function authorize(cookie: string, scope = 'openid'): Promise<{ code: string; verifier: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: t.clientId,
      redirect_uri: t.redirectUri,
      scope,
      state,
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const res = await http('GET', `/v1/t/${t.slug}/oauth2/authorize?${query}`, { cookie, 'x-forwarded-for': randomIp() });
    if (res.status !== 302 || !res.location?.startsWith(`${t.redirectUri}?`))
      throw new FlowFailure(`authorize ${res.status} ${res.location?.slice(0, 60) ?? res.text.slice(0, 60)}`);
    const back = new URL(res.location).searchParams;
    if (back.get('state') !== state || back.get('iss') !== t.issuer) throw new FlowFailure('authorize: state or iss differ');
    const code = back.get('code');
    if (!code) throw new FlowFailure(`authorize: ${back.get('error') ?? 'no code'}`);
    return { code, verifier };
  }

  /** POST /oauth2/token with this form and the client's secret; an answer without an ID token fails. Returns the body. */
  async function token(form: Record<string, string>): Promise<string> {
    const body = new URLSearchParams(form).toString();
    const res = await http(
      'POST',
      `/v1/t/${t.slug}/oauth2/token`,
      { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': randomIp() },
      body,
    );
    if (res.status !== 200 || !res.text.includes('"id_token"')) throw new FlowFailure(`token ${res.status} ${res.text.slice(0, 60)}`);
    return res.text;
  }

  /** The code for tokens, with an ID token; the refresh token when the code's scope had offline_access. */
  async function exchange(code: string, verifier: string): Promise<string | undefined> {
    const text = await token({ grant_type: 'authorization_code', code, redirect_uri: t.redirectUri, code_verifier: verifier });
    return text.includes('"refresh_token"') ? (JSON.parse(text) as { refresh_token: string }).refresh_token : undefined;
  }

  /** A refresh token for the next one (rotation), with a new ID token. */
  async function refresh(refreshToken: string): Promise<string> {
    const text = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
    const next = (JSON.parse(text) as { refresh_token?: string }).refresh_token;
    if (!next) throw new FlowFailure('refresh: no refresh_token');
    return next;
  }

  return { authorize, exchange, refresh };
}

let workload: Workload | undefined;
let concurrency = 0;
let oauth: ReturnType<typeof client> | undefined;
let target: FlowTarget | undefined;
const pool: { code: string; verifier: string; minted: number }[] = [];

/** Fills the pool with `codes` fresh codes from `loops` closed loops of authorize requests. */
async function mint(codes: number, loops: number): Promise<{ codes: number; seconds: number; per_s: number }> {
  const t0 = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      while (next++ < codes) pool.push({ ...(await oauth!.authorize(target!.cookies[loop % target!.cookies.length])), minted: now() });
    }),
  );
  const seconds = (now() - t0) / 1000;
  return { codes: pool.length, seconds: round(seconds, 2), per_s: round(pool.length / seconds, 1) };
}

process.on('message', (m: FlowMessage) => {
  void (async () => {
    try {
      if (m.cmd === 'init') {
        target = m.target;
        concurrency = m.concurrency;
        oauth = client(m.target, m.sockets ?? m.concurrency);
        const { authorize, exchange, refresh } = oauth;
        const chains: (string | undefined)[] = [];
        workload =
          m.mode === 'flow'
            ? new Workload(async (_seq, loop) => {
                const { code, verifier } = await authorize(target!.cookies[loop % target!.cookies.length]);
                await exchange(code, verifier);
              })
            : m.mode === 'refresh'
              ? new Workload(async (_seq, loop) => {
                  let current = chains[loop];
                  if (!current) {
                    // A failed refresh ends its chain; the loop starts a new one (in the warm-up, normally only once).
                    const { code, verifier } = await authorize(target!.cookies[loop % target!.cookies.length], 'openid offline_access');
                    current = await exchange(code, verifier);
                    if (!current) throw new FlowFailure('exchange: no refresh_token for offline_access', true);
                  }
                  chains[loop] = undefined;
                  chains[loop] = await refresh(current);
                })
              : new Workload(async () => {
                  const entry = pool.shift();
                  if (!entry) throw new FlowFailure('code pool empty: raise BENCH_EXCHANGE_CODES', true);
                  // Codes live at most 60 s: an older one would measure the expiry path, not an exchange.
                  if (now() - entry.minted > 55_000) throw new FlowFailure('code older than 55 s: mint closer to the window');
                  await exchange(entry.code, entry.verifier);
                });
        await send({ type: 'ready' });
      } else if (m.cmd === 'mint') {
        await send({ type: 'minted', ...(await mint(m.codes, m.concurrency)) });
      } else if (m.cmd === 'start') {
        workload!.start(concurrency, m.ratePerS, { fromSchedule: true });
      } else if (m.cmd === 'snapshot') {
        await send({ type: 'window', window: workload!.snapshot(), left: pool.length });
      } else if (m.cmd === 'stop') {
        await workload!.stop();
        await send({ type: 'stopped', window: workload!.snapshot(), left: pool.length });
        process.exit(0);
      }
    } catch (err) {
      await send({ type: 'error', message: err instanceof Error ? err.stack : String(err) });
      process.exit(1);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
