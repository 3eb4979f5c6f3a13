import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { SessionLifecycle } from '../../sessions/session-lifecycle';
import { RevokeOwnSessionCommand } from './revoke-own-session.command';

/**
 * Another user's session answers 404 like one that does not exist: the route reveals nothing about
 * sessions the caller does not own. Revoking one that is already over changes nothing (204).
 */
@CommandHandler(RevokeOwnSessionCommand)
export class RevokeOwnSessionHandler implements ICommandHandler<RevokeOwnSessionCommand, void> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly sessions: SessionLifecycle,
  ) {}

  async execute(cmd: RevokeOwnSessionCommand): Promise<void> {
    this.runner.assertAmbientTenant(cmd.tenantId);
    const { caller } = cmd;
    const [own] = await this.runner.queryInTenant<unknown[]>('SELECT 1 FROM auth_sessions WHERE id = $1 AND user_id = $2', [cmd.sessionId, caller.userId]);
    if (!own) throw new DomainError('session.not_found');
    if (cmd.sessionId === caller.sessionId) {
      await this.sessions.revokeSession(cmd.sessionId, 'logout', { jti: caller.jti, expiresAt: caller.expiresAt });
    } else {
      await this.sessions.revokeSession(cmd.sessionId, 'revoked_by_user');
    }
  }
}
