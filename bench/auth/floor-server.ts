import { createHash, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, randomUUID, sign, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { Pool } from 'pg';

/**
 * Issue 14's physical floor, served on the same paths as Credence so the same load clients can drive
 * it: a bare `node:http` server doing only the irreducible work.
 * - refresh: one single-statement transaction (spend the old token, store the new one, write the
 *   outbox row) and one ES256 signature;
 * - introspection: one ES256 verification (cached KeyObject) and one Redis MGET (token and session marks).
 * No validation, context, logging or framework: what Credence adds on top is what `Credence ÷ floor` shows.
 */
export interface Floor {
  url: string;
  /** Refresh tokens to start the chains from. */
  refreshTokens: string[];
  /** An access token the introspection floor accepts. */
  accessToken: string;
  close(): Promise<void>;
}

const SPEND_STORE_OUTBOX = `
  WITH spent AS (UPDATE floor_refresh_tokens SET status = 'rotated' WHERE token_hash = $1 AND status = 'active' RETURNING session_id),
  successor AS (INSERT INTO floor_refresh_tokens (token_hash, session_id, status) SELECT $2, session_id, 'active' FROM spent RETURNING 1),
  event AS (INSERT INTO floor_outbox (event) SELECT jsonb_build_object('type', 'auth.token.refreshed', 'session_id', session_id, 'jti', $3::text) FROM spent RETURNING 1)
  SELECT session_id FROM spent`;

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function signJwt(key: KeyObject, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'floor' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFloor(databaseUrl: string, redisUrl: string, redisPrefix: string, chains: number): Promise<Floor> {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const redis = new Redis(redisUrl);
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_refresh_tokens (token_hash bytea PRIMARY KEY, session_id uuid NOT NULL, status text NOT NULL);
    CREATE TABLE IF NOT EXISTS floor_outbox (position bigserial PRIMARY KEY, event jsonb NOT NULL)`);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKey = createPublicKey(privateKey);
  const refreshTokens = Array.from({ length: chains }, () => `crt_${randomBytes(32).toString('base64url')}`);
  for (const t of refreshTokens) await pool.query(`INSERT INTO floor_refresh_tokens VALUES ($1, $2, 'active')`, [sha256(t), randomUUID()]);
  const claims = (sid: string) => {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: 'http://floor', aud: 'http://floor', sub: randomUUID(), tid: 'floor', sid, jti: randomUUID(), iat, exp: iat + 900, roles: ['employee'] };
  };

  const refresh = async (req: IncomingMessage, res: ServerResponse) => {
    const presented = (JSON.parse(await body(req)) as { refresh_token?: string }).refresh_token ?? '';
    const next = `crt_${randomBytes(32).toString('base64url')}`;
    const jti = randomUUID();
    const { rows } = await pool.query<{ session_id: string }>(SPEND_STORE_OUTBOX, [sha256(presented), sha256(next), jti]);
    if (!rows.length) return send(res, 401, { error: 'invalid_grant' });
    send(res, 200, { access_token: signJwt(privateKey, { ...claims(rows[0].session_id), jti }), token_type: 'Bearer', expires_in: 900, refresh_token: next });
  };

  const introspect = async (req: IncomingMessage, res: ServerResponse) => {
    const token = new URLSearchParams(await body(req)).get('token') ?? '';
    const [h, p, s] = token.split('.');
    const ok = !!s && verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    const c = ok ? (JSON.parse(Buffer.from(p, 'base64url').toString()) as ReturnType<typeof claims>) : undefined;
    if (!c || c.exp <= Date.now() / 1000) return send(res, 200, { active: false });
    const marks = await redis.mget(`${redisPrefix}:floor:revoked:${c.jti}`, `${redisPrefix}:floor:session-revoked:${c.sid}`);
    send(res, 200, marks.some((m) => m !== null) ? { active: false } : { active: true, ...c, token_type: 'Bearer' });
  };

  const server: Server = createServer((req, res) => {
    const work = req.url?.endsWith('/auth/token/refresh') ? refresh : req.url?.endsWith('/auth/introspect') ? introspect : undefined;
    if (!work || req.method !== 'POST') return send(res, 404, { error: 'not_found' });
    work(req, res).catch((err: Error) => send(res, 500, { error: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refreshTokens,
    accessToken: signJwt(privateKey, claims(randomUUID())),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
      redis.disconnect();
    },
  };
}
