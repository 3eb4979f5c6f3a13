import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import type { ChunkContext } from './apply-chunk';
import type { RunError } from './run-tally';
import { lockUsers } from './user-locks';
import { lockCurrentUsers, writeUser } from './user-writes';

export interface MissingUsers {
  /** The source's users that are not disabled and that the run did not name. */
  missing: { external_id: string; user_id: string }[];
  /** The source's users that are not disabled: the share's denominator. */
  enabled: number;
}

/**
 * One statement: which of the source's enabled users the run does not name (a hash anti-join against
 * the run's stored ids, so 10,000 x 10,000 is no quadratic scan), and how many enabled users it has.
 */
export async function findMissing(uow: UnitOfWork, source: string, runId: string): Promise<MissingUsers> {
  const [row] = await uow.query<{ enabled: number; missing: MissingUsers['missing'] }[]>(
    `SELECT count(*)::int AS enabled,
            coalesce(jsonb_agg(jsonb_build_object('external_id', s.external_id, 'user_id', s.user_id)) FILTER (WHERE n.id IS NULL), '[]') AS missing
       FROM sync_state s
       JOIN users u ON u.id = s.user_id AND u.status <> 'disabled'
       LEFT JOIN (SELECT DISTINCT unnest(seen_external_ids) AS id FROM sync_runs WHERE id = $2) AS n ON n.id = s.external_id
      WHERE s.source = $1 AND s.entity = 'user'`,
    [source, runId],
  );
  return row;
}

/** Disables the given missing users as identity's disable does (sessions and tokens end, user.disabled). */
export async function disableMissing(ctx: ChunkContext, users: { external_id: string; user_id: string }[]): Promise<{ disabled: number; errors: RunError[] }> {
  await lockUsers(
    ctx.uow,
    ctx.tenantId,
    users.map((u) => u.user_id),
  );
  const current = await lockCurrentUsers(
    ctx.uow,
    users.map((u) => u.user_id),
  );
  const errors: RunError[] = [];
  const done: string[] = [];
  for (const u of users) {
    const user = current.get(u.user_id);
    if (!user || user.status === 'disabled') continue;
    try {
      await writeUser(ctx.uow, ctx.tenantId, ctx.revoker, user, { ...user, status: 'disabled' }, ['status']);
      done.push(u.external_id);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push({ external_id: u.external_id, code: err.code, message: err.message });
    }
  }
  if (done.length) {
    await ctx.uow.query(
      `UPDATE sync_state SET applied = jsonb_set(applied, '{status}', '"disabled"'), content_hash = '', version = version + 1, last_synced_at = now(), last_run_id = $3
        WHERE source = $1 AND entity = 'user' AND external_id = ANY ($2::text[])`,
      [ctx.settings.source, done, ctx.runId],
    );
  }
  return { disabled: done.length, errors };
}
