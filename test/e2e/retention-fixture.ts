import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AuditRecord, chain, GENESIS_HASH, personalDigest, rowHash } from '@credence/audit';
import { TestApp, uniqueSlug } from '@credence/testing';

/** Shared by the retention and erasure specs: tenants, sessions and audit rows set up with SQL, runs started and awaited. */

export const DAY_MS = 86_400_000;
export const ADMIN_PASSWORD = 'a long enough password 1';

/** The cutoff the retention job computes: asOf minus whole days of 86,400 s. */
export const cutoff = (asOf: Date, days: number) => new Date(asOf.getTime() - days * DAY_MS);
export const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);

export interface Tenant {
  id: string;
  slug: string;
  schema: string;
  adminId: string;
}

type Caller = Pick<TestApp, 'call'>;

export async function onboard(t: Caller, db: Client, prefix: string, settings: Record<string, unknown> = {}): Promise<Tenant> {
  const slug = uniqueSlug(prefix);
  const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: ADMIN_PASSWORD }, settings });
  if (res.status !== 201) throw new Error(`onboarding failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { rows } = await db.query('SELECT schema_name FROM platform.tenants WHERE id = $1', [res.body.id]);
  return { id: res.body.id, slug, schema: rows[0].schema_name, adminId: res.body.admin.user_id };
}

export async function login(
  t: Caller,
  slug: string,
  email: string,
  password: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password, ...extra }, { auth: false, headers });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token;
}

export interface SessionSpec {
  lastSeen: Date;
  ip?: string | null;
  userAgent?: string | null;
  location?: string | null;
  /** Kept in device_type so a test can recompute what the address should have become. */
  tag?: string;
}

export async function insertSessions(db: Client, schema: string, userId: string, specs: SessionSpec[]): Promise<string[]> {
  const ids = specs.map(() => randomUUID());
  await db.query(
    `INSERT INTO "${schema}".auth_sessions (id, user_id, auth_method, ip, user_agent, device_type, location, status, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
     SELECT u.id, $2, 'local', u.ip, u.ua, u.tag, u.loc, 'expired', u.seen, u.seen, u.seen, u.seen
       FROM unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS u(id, ip, ua, tag, loc, seen)`,
    [
      ids,
      userId,
      specs.map((s) => (s.ip === undefined ? '203.0.113.7' : s.ip)),
      specs.map((s) => (s.userAgent === undefined ? CHROME_WINDOWS : s.userAgent)),
      specs.map((s) => s.tag ?? 'desktop'),
      specs.map((s) => (s.location === undefined ? 'Berlin, DE' : s.location)),
      specs.map((s) => s.lastSeen),
    ],
  );
  return ids;
}

export const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
export const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** What retention must have made of an address: the salted hash, computed here from the original. */
export async function expectedAnonymousIp(db: Client, schema: string, ip: string): Promise<string> {
  const { rows } = await db.query(`SELECT 'anon:' || encode(sha256(convert_to($1::text, 'UTF8') || salt), 'hex') AS h FROM "${schema}".privacy_salt`, [ip]);
  return rows[0].h;
}

export interface RunRow {
  run_id: string;
  tenant_id: string;
  status: string;
  counts: Record<string, number>;
  error: string | null;
}

/** Starts a run through the admin API and waits until every part named in `expect` has completed. */
/** Starts a run and waits until every part of it completed. A run over every tenant must say how many parts it has (`parts`). */
export async function runRetention(
  t: Caller,
  body: { as_of?: string; tenant_ids?: string[]; platform?: boolean },
  timeoutMs = 20_000,
  expectedParts?: number,
): Promise<{ runId: string; rows: RunRow[] }> {
  const started = await t.call('POST', '/v1/admin/retention/runs', body);
  if (started.status !== 202) throw new Error(`run not started: ${started.status} ${JSON.stringify(started.body)}`);
  const runId: string = started.body.run_id;
  if (!body.tenant_ids && expectedParts === undefined) throw new Error('a run over every tenant needs expectedParts');
  const parts = expectedParts ?? (body.tenant_ids?.length ?? 0) + (started.body.platform ? 1 : 0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.call('GET', `/v1/admin/retention/runs?run_id=${runId}&limit=100`);
    const rows: RunRow[] = res.body.data;
    const failed = rows.find((r) => r.status === 'failed');
    if (failed) throw new Error(`retention failed for ${failed.tenant_id}: ${failed.error}`);
    if (rows.length >= parts && rows.every((r) => r.status === 'completed')) return { runId, rows };
    if (Date.now() > deadline) throw new Error(`run ${runId} did not complete: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An audit record as ingest would make it, at a given time. */
export function auditRecord(occurredAt: Date, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    event_id: randomUUID(),
    type: 'auth.login.succeeded',
    occurred_at: occurredAt.toISOString(),
    source: 'credence/test',
    actor_type: 'user',
    actor_id: null,
    subject: 'user/x',
    user_id: null,
    outcome: 'success',
    severity: 'info',
    trace_id: null,
    payload: { n: 1 },
    ip: '198.51.100.4',
    user_agent: CHROME_WINDOWS,
    location: 'Paris, FR',
    identity: { email: 'someone@example.com' },
    ...extra,
  };
}

/** A tenant's trail tables, or the platform's (`schema` 'platform'). */
const trailTables = (schema: string) =>
  schema === 'platform' ? { log: 'platform.platform_audit_log', chain: 'platform.platform_audit_chain' } : { log: `"${schema}".audit_log`, chain: `"${schema}".audit_chain` };

/** Appends records to a trail (a tenant schema's, or 'platform') the way ingest does (under the chain head's lock, chained from it). */
export async function appendAudit(db: Client, schema: string, records: AuditRecord[]): Promise<void> {
  const tables = trailTables(schema);
  await db.query('BEGIN');
  try {
    const {
      rows: [head],
    } = await db.query(`SELECT last_seq, last_hash FROM ${tables.chain} FOR UPDATE`);
    const rows = chain(records, Number(head.last_seq), head.last_hash);
    for (const r of rows) {
      await db.query(
        `INSERT INTO ${tables.log} (seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, user_id, outcome, severity, ip, user_agent, location, identity, trace_id, payload, personal_digest, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [
          r.seq,
          r.event_id,
          r.type,
          r.occurred_at,
          r.source,
          r.actor_type,
          r.actor_id,
          r.subject,
          r.user_id,
          r.outcome,
          r.severity,
          r.ip,
          r.user_agent,
          r.location,
          r.identity ? JSON.stringify(r.identity) : null,
          r.trace_id,
          JSON.stringify(r.payload),
          r.personal_digest,
          r.hash,
        ],
      );
    }
    const last = rows[rows.length - 1];
    await db.query(`UPDATE ${tables.chain} SET last_seq = $1, last_hash = $2`, [last.seq, last.hash]);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK');
    throw err;
  }
}

/**
 * Verifies what remains of a trail: starts after the newest checkpoint (or at genesis), checks that
 * seq is contiguous and every hash follows from the one before. For rows not erased it also checks
 * that the stored personal fields still match their digest. Resolves to the rows checked.
 */
export async function verifyTrail(db: Client, schema: string): Promise<{ from: number; rows: number }> {
  const {
    rows: [cp],
  } = await db.query(`SELECT seq, hash FROM "${schema}".audit_checkpoints ORDER BY seq DESC LIMIT 1`);
  let previous: Buffer = cp ? cp.hash : GENESIS_HASH;
  let expectedSeq = cp ? Number(cp.seq) + 1 : 1;
  const from = expectedSeq;
  const { rows } = await db.query(`SELECT * FROM "${schema}".audit_log ORDER BY seq`);
  for (const r of rows) {
    const seq = Number(r.seq);
    if (seq !== expectedSeq) throw new Error(`chain broken: expected seq ${expectedSeq}, found ${seq}`);
    const record = { ...r, occurred_at: r.occurred_at.toISOString() };
    const hash = rowHash(previous, seq, record, r.personal_digest);
    if (!hash.equals(r.hash)) throw new Error(`hash mismatch at seq ${seq}`);
    if (!r.erased_at && !personalDigest(r).equals(r.personal_digest)) throw new Error(`personal digest mismatch at seq ${seq}`);
    previous = r.hash;
    expectedSeq += 1;
  }
  return { from, rows: rows.length };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
