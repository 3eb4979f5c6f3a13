import type { UnitOfWork } from '@credence/tenancy';
import { reduceLocation, UserAgentReducer } from './reduce-client';

/** Which sessions to anonymise: those inactive since before a cutoff (retention), or all of one user's (erasure). */
export type SessionSelection = { due: Date; limit: number } | { userId: string };

interface Candidate {
  id: string;
  user_agent: string | null;
  location: string | null;
}

/*
 * Retention takes rows other workers have not locked (SKIP LOCKED: a concurrent run or an erasure
 * handles those); erasure waits for them, so none of the user's sessions is left out. Both take only
 * rows not yet anonymised, so an address is never hashed twice.
 */
const SELECT_DUE = `SELECT id, user_agent, location FROM auth_sessions
  WHERE anonymised_at IS NULL AND last_seen_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED`;
const SELECT_USER = `SELECT id, user_agent, location FROM auth_sessions
  WHERE user_id = $1 AND anonymised_at IS NULL FOR UPDATE`;

/**
 * The address becomes a keyed one-way hash ('anon:' + hex SHA-256 of the address and the tenant's
 * privacy salt, which never leaves the database): equal addresses stay comparable, none can be
 * read back. One statement for the whole batch.
 */
const UPDATE = `WITH done AS (
  UPDATE auth_sessions s
     SET ip = CASE WHEN s.ip IS NULL THEN NULL ELSE 'anon:' || encode(sha256(convert_to(s.ip, 'UTF8') || p.salt), 'hex') END,
         user_agent = r.user_agent,
         location = r.location,
         anonymised_at = now()
    FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, user_agent, location), privacy_salt p
   WHERE s.id = r.id AND s.anonymised_at IS NULL
  RETURNING 1)
SELECT count(*)::int AS n FROM done`;

/**
 * Anonymises sessions in the unit's transaction: ip → keyed hash, user agent → browser and device
 * family, location → country, anonymised_at set. Resolves to how many sessions it changed.
 */
export async function anonymiseSessions(uow: UnitOfWork, which: SessionSelection): Promise<number> {
  const rows =
    'userId' in which
      ? await uow.query<Candidate[]>(SELECT_USER, [which.userId])
      : await uow.query<Candidate[]>(SELECT_DUE, [which.due, which.limit]);
  if (!rows.length) return 0;
  const agents = new UserAgentReducer();
  const [{ n }] = await uow.query<{ n: number }[]>(UPDATE, [
    rows.map((r) => r.id),
    rows.map((r) => agents.reduce(r.user_agent)),
    rows.map((r) => reduceLocation(r.location)),
  ]);
  return n;
}
