import { subjects } from '@credence/contracts';
import { newSecretToken, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import type { UnitOfWork } from '@credence/tenancy';
import { INVITE_LIFETIME_SECONDS } from '../seed/seed-new-tenant';

export interface IssuedInvitation {
  user_id: string;
  email: string;
  status: 'invited';
  /** Shown this once; only its SHA-256 is stored. */
  invite_token: string;
  expires_at: string;
}

/**
 * A new invitation for a user of the unit's tenant who is still `invited` (an expired or lost token
 * left them unable ever to sign in). Every earlier token of the user stops working. Runs in the
 * tenant's unit of work; the user's row is locked so a concurrent acceptance or re-invitation waits.
 */
export async function reissueInvitation(uow: UnitOfWork, email: string): Promise<IssuedInvitation> {
  const [user] = await uow.query<{ id: string; email: string; status: string }[]>(`SELECT id, email, status FROM users WHERE lower(email) = lower($1) FOR UPDATE`, [email]);
  if (!user) throw new DomainError('user.not_found');
  if (user.status !== 'invited') throw new DomainError('user.not_invited', `The user is ${user.status}: only an invited user can be invited again.`);
  await uow.query(`UPDATE user_invites SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
  const token = newSecretToken('inv_');
  const [{ expires_at }] = await uow.query<{ expires_at: Date }[]>(
    `INSERT INTO user_invites (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at`,
    [sha256(token), user.id, INVITE_LIFETIME_SECONDS],
  );
  const expiresAt = expires_at.toISOString();
  uow.emit('user.invited', subjects.user(user.id), { user_id: user.id, expires_at: expiresAt });
  return { user_id: user.id, email: user.email, status: 'invited', invite_token: token, expires_at: expiresAt };
}
