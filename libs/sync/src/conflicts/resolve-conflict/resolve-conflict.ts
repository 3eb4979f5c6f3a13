import { Inject, Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { attributeMapProblem, USER_SESSIONS_REVOKER, USERNAME_PATTERN, UserSessionsRevoker } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { SyncedField } from '../../batch/sync-user-record';
import { lockUsers } from '../../runs/process-run/user-locks';
import { lockCurrentUsers, writeUser } from '../../runs/process-run/user-writes';
import { CONFLICT_SELECT, conflictResponse, ConflictRow } from '../conflict-row';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why a merged value cannot be written to `field`, or undefined. */
function mergedProblem(field: string, v: unknown): string | undefined {
  if (field === 'email') return typeof v === 'string' && v.length <= 254 && isEmail(v) ? undefined : 'data.value must be an e-mail address';
  if (field === 'username') return typeof v === 'string' && USERNAME_PATTERN.test(v) ? undefined : 'data.value must be a valid username';
  if (field === 'display_name') return v === null || (typeof v === 'string' && v.length >= 1 && v.length <= 200) ? undefined : 'data.value must be 1-200 characters or null';
  if (field === 'status') return v === 'active' || v === 'disabled' ? undefined : 'data.value must be active or disabled';
  const p = attributeMapProblem(v);
  return p ? `data.value ${p}` : undefined;
}

/**
 * Settles an open conflict: `source` writes the source's value, `credence` keeps the user as is,
 * `merged` writes `data.value`. Either way the source's value is remembered as seen, so the same value
 * sent again is no new conflict. Under the source's lock and the user's, like a run.
 */
@Injectable()
export class ResolveConflict {
  constructor(
    private readonly runner: TenantTransactionRunner,
    @Inject(USER_SESSIONS_REVOKER) private readonly revoker: UserSessionsRevoker,
  ) {}

  async resolve(tenantId: string, id: string, resolution: 'source' | 'credence' | 'merged', data: { value?: unknown } | undefined, by: string) {
    const tenant = this.runner.assertAmbientTenant(tenantId);
    if (!UUID.test(id)) throw new DomainError('sync.conflict_not_found');
    const [peek] = await this.runner.inTenant((uow) => uow.query<ConflictRow[]>(`${CONFLICT_SELECT} WHERE id = $1`, [id]));
    if (!peek) throw new DomainError('sync.conflict_not_found');
    if (resolution === 'merged') {
      if (!data || !('value' in data)) throw new DomainError('validation.failed', undefined, [{ field: 'data.value', issue: 'a merged resolution needs data.value' }]);
      const problem = mergedProblem(peek.field, data.value);
      if (problem) throw new DomainError('validation.failed', undefined, [{ field: 'data.value', issue: problem }]);
    }
    const row = await this.runner.inTenant(
      async (uow) => {
        await lockUsers(uow, tenant.id, [peek.user_id]);
        const [c] = await uow.query<ConflictRow[]>(`${CONFLICT_SELECT} WHERE id = $1 FOR UPDATE`, [id]);
        if (!c) throw new DomainError('sync.conflict_not_found');
        if (c.status !== 'open') throw new DomainError('sync.conflict_resolved');
        const user = (await lockCurrentUsers(uow, [c.user_id])).get(c.user_id);
        if (!user) throw new DomainError('user.not_found');
        const field = c.field as SyncedField;
        if (resolution !== 'credence') {
          const value = resolution === 'source' ? c.source_value : data!.value;
          await writeUser(uow, tenant.id, this.revoker, user, { ...user, [field]: value }, [field]);
        }
        await uow.query(
          `UPDATE sync_state SET applied = jsonb_set(applied, ARRAY[$3::text], $4::jsonb), version = version + 1,
                  status = CASE WHEN EXISTS (SELECT 1 FROM sync_conflicts o WHERE o.source = $1 AND o.external_id = $2 AND o.status = 'open' AND o.id <> $5) THEN 'conflict' ELSE 'ok' END
            WHERE source = $1 AND entity = 'user' AND external_id = $2`,
          [c.source, c.external_id, c.field, JSON.stringify(c.source_value), c.id],
        );
        const [done] = await uow.query<ConflictRow[]>(
          `UPDATE sync_conflicts SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = now() WHERE id = $1
           RETURNING id, source, external_id, user_id, field, source_value, credence_value, source_updated_at, status, resolution, resolved_by, created_at, resolved_at`,
          [id, resolution, by],
        );
        uow.emit('sync.conflict.resolved', subjects.syncConflict(id), {
          conflict_id: id,
          source: c.source,
          external_id: c.external_id,
          user_id: c.user_id,
          field: c.field,
          resolution,
        });
        return done;
      },
      { locks: [{ key: `sync-source:${tenant.id}:${peek.source}` }] },
    );
    return conflictResponse(row);
  }
}
