import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { eraseUserFromEventStore } from '@credence/event-store';
import { anonymiseUserSessions, identityKnowsUser } from '@credence/identity';
import { eraseUserFromOutbox } from '@credence/outbox';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { ErasureResponse } from '../../dto/erasure.response';
import { EraseUserCommand } from './erase-user.command';

/** Known to the trail; identity is asked separately (its tables are its own). */
const KNOWN = `SELECT EXISTS (SELECT 1 FROM erased_users WHERE user_id = $1)
                   OR EXISTS (SELECT 1 FROM audit_log WHERE user_id = $1) AS known`;

/**
 * Hash-chain safe: ip, user_agent, location and identity are outside the row hash (personal_digest
 * stands in for them), so blanking them leaves every hash valid. Every row recorded up to the
 * (first) erasure is marked erased; rows ingest stored later are already blank and are left alone
 * unless they somehow carry a personal field, so a repeated request finds nothing to do.
 */
const BLANK_AUDIT_ROWS = `WITH done AS (
  UPDATE audit_log SET ip = NULL, user_agent = NULL, location = NULL, identity = NULL, erased_at = now()
   WHERE user_id = $1 AND erased_at IS NULL
     AND (recorded_at <= $2 OR ip IS NOT NULL OR user_agent IS NOT NULL OR location IS NOT NULL OR identity IS NOT NULL)
  RETURNING 1)
SELECT count(*)::int AS n FROM done`;

/** The user's incidents keep rule, counts and times; the address the rule saw, and countries derived from locations, go. */
const BLANK_INCIDENTS = `WITH done AS (
  UPDATE audit_incidents SET ip = NULL, details = details - 'countries'
   WHERE user_id = $1 AND (ip IS NOT NULL OR details ? 'countries')
  RETURNING 1)
SELECT count(*)::int AS n FROM done`;

/**
 * Erases a user's personal data from every copy Credence keeps (GDPR art. 17), in one
 * transaction: records the user in erased_users (ingest then stores later events about them
 * without personal fields), anonymises their sessions as retention does, blanks the personal fields
 * of their audit rows, the address of their incidents, and the personal fields of their events in
 * the outbox and the event store (through those tables' owners), and emits user.erased. The
 * account itself is left as it is. Copies already on the transport are trimmed by age (retention.md).
 */
@CommandHandler(EraseUserCommand)
export class EraseUserHandler implements ICommandHandler<EraseUserCommand, ErasureResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly context: RequestContext,
  ) {}

  async execute(cmd: EraseUserCommand): Promise<ErasureResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    // The user's actor: serialises with every other write to this user (identity uses the same key).
    return this.actors.send({ kind: 'user', tenantId: tenant.id, id: cmd.userId }, (uow) => this.erase(uow, tenant.id, cmd.userId));
  }

  private async erase(uow: UnitOfWork, tenantId: string, userId: string): Promise<ErasureResponse> {
    // Ingest appends while holding the chain head: taking it first means no event about this user is
    // stored with personal fields between this transaction's reads and its commit.
    await uow.query('SELECT 1 FROM audit_chain FOR UPDATE');
    const [{ known }] = await uow.query<{ known: boolean }[]>(KNOWN, [userId]);
    if (!known && !(await identityKnowsUser(uow, userId))) throw new DomainError('user.not_found');
    const inserted = await uow.query<{ erased_at: Date }[]>(
      `INSERT INTO erased_users (user_id, erased_by) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING RETURNING erased_at`,
      [userId, this.context.principal],
    );
    const [{ erased_at }] = inserted.length ? inserted : await uow.query<{ erased_at: Date }[]>('SELECT erased_at FROM erased_users WHERE user_id = $1', [userId]);
    const sessions = await anonymiseUserSessions(uow, userId);
    await uow.query(`SELECT set_config('credence.audit_maintenance', 'on', true)`);
    const [{ n: auditRows }] = await uow.query<{ n: number }[]>(BLANK_AUDIT_ROWS, [userId, erased_at]);
    const [{ n: incidents }] = await uow.query<{ n: number }[]>(BLANK_INCIDENTS, [userId]);
    // Outbox before store: see eraseUserFromOutbox.
    const events = (await eraseUserFromOutbox(uow, tenantId, userId)) + (await eraseUserFromEventStore(uow, tenantId, userId));
    // A repeated request that changes nothing records nothing.
    if (inserted.length || sessions || auditRows || incidents || events) uow.emit('user.erased', subjects.user(userId), { user_id: userId, sessions, audit_rows: auditRows });
    return { user_id: userId, erased_at: erased_at.toISOString(), sessions, audit_rows: auditRows };
  }
}
