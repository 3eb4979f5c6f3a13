/**
 * Child process of the SAML bench (forked by saml-acs.bench.ts, never run by hand): the browsers and
 * the IdP, off the app's event loop. Protocol over IPC as bench/oauth/flow-client.ts: `init` → `ready`;
 * `prepare` → `prepared` (start logins and mint their Responses: not measured); `start`; `snapshot` →
 * `window`; `stop` → `stopped`; `hostile` → `hostiled`.
 *
 * A prepared login is what one browser holds when the IdP posts back: GET /oauth2/authorize with
 * `connection=` (→ 302 to the IdP with a signed AuthnRequest, and the `credence_binding` cookie), then
 * samlify, as the IdP, parses that AuthnRequest (checking its Redirect signature against the SP
 * metadata) and signs a Response to it. Modes:
 *   full  POST the Response to the ACS (→ 303 to the continue step) → GET continue with the binding
 *         cookie (→ 303 to the app's redirect URI with a code);
 *   acs   the POST to the ACS alone (the continue token is left to expire).
 */
import { randomBytes, randomInt, createSign, createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { deflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';
import { now, round, Workload } from '../auth/shared';

export interface SamlTarget {
  url: string;
  slug: string;
  clientId: string;
  redirectUri: string;
  connectionId: string;
  /** Paths of the SP (ACS, continue, SLO, metadata), without the origin. */
  acsPath: string;
  sloPath: string;
  metadataPath: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpKey: string;
  idpCert: string;
  /** Login i signs in users[i % length]. */
  users: string[];
}

export type Mode = 'full' | 'acs';
export type SamlInit = { cmd: 'init'; target: SamlTarget };
export type SamlMessage =
  | SamlInit
  | { cmd: 'prepare'; logins: number; concurrency: number }
  | { cmd: 'start'; mode: Mode; concurrency: number }
  | { cmd: 'snapshot' }
  | { cmd: 'stop' }
  | { cmd: 'hostile'; kind: HostileKind; count: number };

export type HostileKind = 'acs_1mb' | 'acs_256kb_parsed' | 'acs_near_limit' | 'slo_bomb_unsigned' | 'slo_bomb_signed';

export interface Prepared {
  samlResponse: string;
  relayState?: string;
  binding: string;
  user: string;
}

const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, undefined, undefined, () => resolve()));

class SamlFailure extends Error {
  constructor(
    readonly kind: string,
    readonly fatal = false,
  ) {
    super(kind);
  }
}

/** A client address per request, so per-IP limits see many clients (the app trusts 127.0.0.1 as proxy). */
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

let target: SamlTarget;
let agent: Agent;
let idp: ReturnType<typeof samlify.IdentityProvider>;
let sp: ReturnType<typeof samlify.ServiceProvider>;
let workload: Workload | undefined;
const pool: Prepared[] = [];
let nextUser = 0;
/** Where preparing goes: waiting for authorize, and the IdP's parse and sign (ms, summed over loops). */
const timing = { authorize: 0, idp: 0 };
/** One minted Response kept aside, for the padded hostile one. */
let sample: string | undefined;

function http(method: string, path: string, headers: Record<string, string | number>, body?: string) {
  const { hostname, port } = new URL(target.url);
  return new Promise<{ status: number; location?: string; cookies: string[]; text: string }>((resolve, reject) => {
    const req = request({ agent, hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, cookies: res.headers['set-cookie'] ?? [], text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The IdP. Its schema validator is a no-op here: the tests run samlify with xmllint on the same
 * AuthnRequests, and xmllint compiled to JS would make minting the slow part of the bench.
 */
async function initIdp(): Promise<void> {
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
  idp = samlify.IdentityProvider({
    entityID: target.idpEntityId,
    privateKey: target.idpKey,
    signingCert: target.idpCert,
    wantAuthnRequestsSigned: true,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: target.idpSsoUrl }],
  } as Parameters<typeof samlify.IdentityProvider>[0]);
  const metadata = await http('GET', target.metadataPath, {});
  if (metadata.status !== 200) throw new Error(`SP metadata answered ${metadata.status}`);
  sp = samlify.ServiceProvider({ metadata: metadata.text });
}

/** One browser starts a SAML login, and the IdP answers it. */
async function prepareOne(): Promise<Prepared> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    scope: 'openid email',
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    connection: target.connectionId,
  });
  const t0 = now();
  const res = await http('GET', `/v1/t/${target.slug}/oauth2/authorize?${query}`, { 'x-forwarded-for': randomIp() });
  timing.authorize += now() - t0;
  if (res.status !== 302 || !res.location?.startsWith(`${target.idpSsoUrl}?SAMLRequest=`))
    throw new Error(`authorize answered ${res.status} ${res.location ?? res.text.slice(0, 200)}`);
  const binding = res.cookies.find((c) => c.startsWith('credence_binding='))?.split(';')[0];
  if (!binding) throw new Error('authorize set no binding cookie');
  const url = new URL(res.location);
  const rawQuery = url.search.slice(1);
  const octetString = rawQuery.slice(0, rawQuery.indexOf('&Signature='));
  const t1 = now();
  const parsed = await idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString });
  const user = target.users[nextUser++ % target.users.length];
  const relayState = url.searchParams.get('RelayState') ?? undefined;
  const response = (await idp.createLoginResponse(sp, parsed as never, 'post', { email: user }, { relayState })) as { context: string };
  timing.idp += now() - t1;
  return { samlResponse: response.context, relayState, binding, user };
}

/**
 * Preparing is not measured: on a machine shared with other work, authorize may answer 503 (a Redis or
 * database call timed out); that login is started again rather than ending the bench.
 */
async function retried<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await run();
    } catch (err) {
      if (n >= attempts || !/answered 503/.test(String((err as Error)?.message))) throw err;
      await new Promise((r) => setTimeout(r, 250 * n));
    }
  }
}

async function prepare(logins: number, loops: number): Promise<{ logins: number; seconds: number; per_s: number }> {
  const t0 = now();
  let started = 0;
  const before = pool.length;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (started++ < logins) {
        const p = await retried(prepareOne);
        sample ??= p.samlResponse;
        pool.push(p);
      }
    }),
  );
  const seconds = (now() - t0) / 1000;
  const n = Math.max(1, pool.length - before);
  const per = { authorize_ms: round(timing.authorize / n, 2), idp_ms: round(timing.idp / n, 2) };
  timing.authorize = timing.idp = 0;
  return { logins: pool.length - before, seconds: round(seconds, 2), per_s: round((pool.length - before) / seconds, 1), ...per };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function postAcs(p: Prepared): Promise<string> {
  const body = form({ SAMLResponse: p.samlResponse, ...(p.relayState ? { RelayState: p.relayState } : {}) });
  const res = await http(
    'POST',
    target.acsPath,
    { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': randomIp() },
    body,
  );
  if (res.status !== 303 || !res.location) throw new SamlFailure(`acs ${res.status} ${res.text.slice(0, 80)}`);
  return res.location;
}

async function full(p: Prepared): Promise<void> {
  const location = new URL(await postAcs(p));
  const res = await http('GET', `${location.pathname}${location.search}`, { cookie: p.binding, 'x-forwarded-for': randomIp() });
  if (res.status !== 303 || !res.location?.startsWith(`${target.redirectUri}?`))
    throw new SamlFailure(`continue ${res.status} ${res.location?.slice(0, 60) ?? res.text.slice(0, 80)}`);
  if (!new URL(res.location).searchParams.get('code')) throw new SamlFailure(`continue: ${new URL(res.location).searchParams.get('error') ?? 'no code'}`);
}

// ---------------------------------------------------------------- hostile requests

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

function sloQuery(deflated: Buffer, key: string | undefined): string {
  let query = `SAMLRequest=${encodeURIComponent(deflated.toString('base64'))}`;
  if (key) {
    query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
    query += `&Signature=${encodeURIComponent(createSign('RSA-SHA256').update(query).sign(key, 'base64'))}`;
  }
  return query;
}

/**
 * About the largest deflate bomb whose query fits in Node's 16 KB request head: 8 MB of spaces deflate
 * to about 8 KB (zlib's ceiling is about 1:1000), so it would inflate to 8 MB (32 × the 256 KB limit).
 */
let bomb: Buffer | undefined;
const bombBytes = () => (bomb ??= deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { level: 9 }));

/**
 * A Response that passes the size check (just under 256 KB encoded) and is parsed in full: a real
 * minted Response with 40,000 empty elements added to the unsigned envelope.
 */
function paddedResponse(elements = 40_000): string {
  const xml = Buffer.from(sample ?? '', 'base64').toString('utf8');
  if (!xml) throw new Error('no minted Response to pad');
  const at = xml.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length;
  let padded = xml.slice(0, at) + '<e/>'.repeat(elements) + xml.slice(at);
  while (Buffer.from(padded).toString('base64').length > 255 * 1024) padded = padded.replace('<e/>'.repeat(1000), '');
  return Buffer.from(padded).toString('base64');
}

/** The same Response padded to 1,000 markup openings, just under SAML_MAX_MARKUP (1,024): parsed and checked in full. */
function nearLimitResponse(): string {
  const xml = Buffer.from(sample ?? '', 'base64').toString('utf8');
  return paddedResponse(1_000 - (xml.match(/</g) ?? []).length);
}

async function hostile(kind: HostileKind, count: number) {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const big =
    kind === 'acs_1mb'
      ? form({ SAMLResponse: randomBytes(768 * 1024).toString('base64') })
      : kind === 'acs_256kb_parsed'
        ? form({ SAMLResponse: paddedResponse() })
        : kind === 'acs_near_limit'
          ? form({ SAMLResponse: nearLimitResponse() })
          : '';
  const slo = kind === 'slo_bomb_unsigned' ? sloQuery(bombBytes(), undefined) : kind === 'slo_bomb_signed' ? sloQuery(bombBytes(), target.idpKey) : '';
  for (let i = 0; i < count; i++) {
    const t = now();
    const res = await (
      big
        ? http('POST', target.acsPath, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(big), 'x-forwarded-for': randomIp() }, big)
        : http('GET', `${target.sloPath}?${slo}`, { 'x-forwarded-for': randomIp() })
    ).catch((err: Error) => ({ status: err.message }));
    latencies.push(now() - t);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    kind,
    count,
    request_bytes: big ? Buffer.byteLength(big) : slo.length,
    statuses,
    p50_ms: round(latencies[Math.floor(count / 2)], 2),
    max_ms: round(latencies[count - 1], 2),
  };
}

process.on('message', (m: SamlMessage) => {
  void (async () => {
    try {
      if (m.cmd === 'init') {
        target = m.target;
        agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
        await initIdp();
        await send({ type: 'ready' });
      } else if (m.cmd === 'prepare') {
        const done = await prepare(m.logins, m.concurrency);
        await send({ type: 'prepared', ...done, responses: pool.map((p) => p.samlResponse) });
      } else if (m.cmd === 'start') {
        const run = m.mode === 'full' ? full : async (p: Prepared) => void (await postAcs(p));
        workload = new Workload(async () => {
          const p = pool.shift();
          if (!p) throw new SamlFailure('pool empty: raise BENCH_RESPONSES', true);
          await run(p);
        });
        workload.start(m.concurrency);
      } else if (m.cmd === 'snapshot') {
        await send({ type: 'window', window: workload!.snapshot(), left: pool.length });
      } else if (m.cmd === 'stop') {
        await workload!.stop();
        // What is left is discarded: samlify's Responses expire 5 minutes after they are minted.
        await send({ type: 'stopped', window: workload!.snapshot(), left: pool.splice(0).length });
        workload = undefined;
      } else if (m.cmd === 'hostile') {
        await send({ type: 'hostiled', result: await hostile(m.kind, m.count) });
      }
    } catch (err) {
      await send({ type: 'error', message: err instanceof Error ? err.stack : String(err) });
      process.exit(1);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
