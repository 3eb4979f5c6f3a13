import type { BatchResult, RulePass, UnitOfWork } from '@credence/tenancy';
import { reduceLocation, UserAgentReducer } from './reduce-client';

interface Candidate {
  id: string;
  user_agent: string | null;
  location: string | null;
}

interface DueCandidate extends Candidate {
  /** Text, not a Date: a Date would drop the microseconds and the walk would read the row again. */
  last_seen: string;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const WATERMARK = 'sessions_anonymised';

/*
 * Due sessions are read along auth_sessions_last_seen_idx after the last one read. Rows are locked
 * and waited for (not skipped): the walk passes each row once, so a skipped row would be left
 * behind the watermark. Erasure locks its rows in the same order, so the two cannot deadlock.
 */
const SELECT_DUE = `SELECT id, user_agent, location, last_seen_at::text AS last_seen FROM auth_sessions
  WHERE last_seen_at < $1 AND (last_seen_at, id) > ($3::timestamptz, $4::uuid) AND anonymised_at IS NULL
  ORDER BY last_seen_at, id LIMIT $2 FOR UPDATE`;
const SELECT_USER = `SELECT id, user_agent, location FROM auth_sessions
  WHERE user_id = $1 AND anonymised_at IS NULL ORDER BY last_seen_at, id FOR UPDATE`;

/**
 * The address becomes a keyed one-way hash ('anon:' + hex SHA-256 of the address and the tenant's
 * privacy salt, which never leaves the database): equal addresses stay comparable, none can be
 * read back. One statement for the whole batch; only rows not yet anonymised are changed, so an
 * address is never hashed twice.
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

/** ip → keyed hash, user agent → browser and device family, location → country, anonymised_at set. */
async function anonymise(uow: UnitOfWork, rows: Candidate[], agents: UserAgentReducer): Promise<number> {
  if (!rows.length) return 0;
  const [{ n }] = await uow.query<{ n: number }[]>(UPDATE, [rows.map((r) => r.id), rows.map((r) => agents.reduce(r.user_agent)), rows.map((r) => reduceLocation(r.location))]);
  return n;
}

/** Erasure: whether identity has the user, or sessions of theirs (a deleted user's sessions outlive the account). */
export async function identityKnowsUser(uow: UnitOfWork, userId: string): Promise<boolean> {
  const [{ known }] = await uow.query<{ known: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1) OR EXISTS (SELECT 1 FROM auth_sessions WHERE user_id = $1) AS known`,
    [userId],
  );
  return known;
}

/** Erasure: anonymises all of one user's sessions in the unit's transaction; resolves to how many it changed. */
export async function anonymiseUserSessions(uow: UnitOfWork, userId: string): Promise<number> {
  return anonymise(uow, await uow.query<Candidate[]>(SELECT_USER, [userId]), new UserAgentReducer());
}

/**
 * One run's anonymisation of the sessions inactive since before `due`. Its batches (side by side,
 * each in its own transaction) take consecutive slices of the walk; the reads are queued so that
 * each starts after the last row the previous one read. The walk starts at the watermark, the
 * cutoff of the last run that got through, and `finish` moves the watermark to this run's cutoff.
 * A run that fails or yields leaves the watermark where it was, so the next run walks its part again.
 */
export class SessionAnonymisation implements RulePass {
  private after?: { at: string; id: string };
  private reads: Promise<unknown> = Promise.resolve();
  private readonly agents = new UserAgentReducer();

  constructor(
    private readonly due: Date,
    private readonly limit: number,
  ) {}

  async batch(uow: UnitOfWork): Promise<BatchResult> {
    const rows = await this.nextSlice(uow);
    // Rows changed by others while this read waited on them drop out of a slice, so only an empty one ends the walk.
    return { done: await anonymise(uow, rows, this.agents), more: rows.length > 0 };
  }

  async finish(uow: UnitOfWork): Promise<void> {
    await uow.query(
      `INSERT INTO retention_watermarks (rule, reached) VALUES ($1, $2)
       ON CONFLICT (rule) DO UPDATE SET reached = GREATEST(retention_watermarks.reached, EXCLUDED.reached)`,
      [WATERMARK, this.due],
    );
  }

  private nextSlice(uow: UnitOfWork): Promise<DueCandidate[]> {
    const slice = this.reads.then(async () => {
      this.after ??= { at: await this.watermark(uow), id: NIL_UUID };
      const rows = await uow.query<DueCandidate[]>(SELECT_DUE, [this.due, this.limit, this.after.at, this.after.id]);
      const last = rows.at(-1);
      if (last) this.after = { at: last.last_seen, id: last.id };
      return rows;
    });
    this.reads = slice.catch(() => undefined);
    return slice;
  }

  private async watermark(uow: UnitOfWork): Promise<string> {
    const [row] = await uow.query<{ reached: string }[]>(`SELECT reached::text AS reached FROM retention_watermarks WHERE rule = $1`, [WATERMARK]);
    return row?.reached ?? '-infinity';
  }
}
