import { v7 as uuidv7 } from 'uuid';
import { subjects } from '@credence/contracts';
import { userEventData } from '@credence/identity';
import { UnitOfWork } from '@credence/tenancy';
import type { Connection } from '../connections/connection';
import type { CheckedIdentity } from './checked-identity';
import { profileOf } from './profile-sync';
import { assignDefaultRoles } from './role-grants';

/**
 * Creates the user a first sign-in brings (JIT): active, no password (they sign in through the IdP),
 * the mapped e-mail and names, the connection's `default_roles`. Emits what CreateUser and AssignRole
 * emit. A concurrent creation of the same e-mail fails the unit on users_email_key; the caller retries
 * and then finds that user.
 */
export async function provisionUser(uow: UnitOfWork, connection: Connection, identity: CheckedIdentity & { email: string }): Promise<string> {
  const id = uuidv7();
  const { attributes, displayName } = profileOf(identity);
  await uow.query(`INSERT INTO users (id, email, display_name, status, attributes) VALUES ($1, $2, $3, 'active', $4)`, [
    id,
    identity.email,
    displayName,
    JSON.stringify(attributes),
  ]);
  uow.emit('user.created', subjects.user(id), userEventData({ id, email: identity.email, username: null, status: 'active' }));
  await assignDefaultRoles(uow, connection.id, id, connection.jit?.default_roles ?? []);
  return id;
}
