import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { userEventData } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ScimDirectory } from '../../auth/scim-directory';
import { scimError } from '../../scim-error';
import { ScimUserRow, scimAttributes, toScimUser, userInputFrom } from '../user-resource';

/**
 * The user and the directory's link in one statement, read back by RETURNING (a new user is in no
 * group). A userName the directory already has inserts nothing (no row back); two racing creates of
 * one userName meet the unique index instead.
 */
const INSERT_USER = `
  WITH u AS (
    INSERT INTO users (id, email, username, display_name, status, attributes)
    SELECT $1, $2, $3, $4, $5, $6::jsonb
     WHERE NOT EXISTS (SELECT 1 FROM scim_users WHERE directory_id = $7 AND lower(user_name) = lower($8))
    RETURNING id, email, username, display_name, status, attributes, created_at, updated_at
  ), s AS (
    INSERT INTO scim_users (user_id, directory_id, user_name, external_id, emails)
    SELECT u.id, $7, $8, $9, $10::jsonb FROM u
    RETURNING user_name, external_id, emails
  )
  SELECT u.id, u.email, u.username, u.display_name, u.status, u.attributes, u.created_at, u.updated_at, s.user_name, s.external_id, s.emails, '[]'::json AS groups
    FROM u, s`;

const TAKEN = () => scimError('scim.uniqueness', 'Another user of this directory has this userName.');
const UNIQUE: Record<string, () => DomainError> = {
  scim_users_user_name_key: TAKEN,
  users_email_key: () => new DomainError('user.already_exists', undefined, [{ field: 'email', issue: 'another user has this email' }]),
  users_username_key: () => new DomainError('user.already_exists', undefined, [{ field: 'username', issue: 'another user has this username' }]),
};

/**
 * POST /Users: one unit of work of three round trips (BEGIN, the statement above, outbox and COMMIT).
 * The user is an ordinary Credence user made as identity's CreateUserCommand makes one without a
 * password (same columns, same uniqueness, user.created with the same data), written here so that the
 * user and the directory's link commit together. `active: false` creates the user disabled, with
 * user.disabled after user.created as a create followed by a disable would emit (a new user has no
 * sessions to end). A userName the directory already has, or an e-mail another user has, is 409
 * uniqueness.
 */
@Injectable()
export class CreateScimUser {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(directory: ScimDirectory, body: unknown): Promise<Record<string, unknown>> {
    const input = userInputFrom(body);
    const id = uuidv7();
    let row: ScimUserRow & { username: string | null };
    try {
      row = await this.runner.inTenant(async (uow) => {
        const [created] = await uow.query<(ScimUserRow & { username: string | null })[]>(INSERT_USER, [
          id,
          input.email,
          input.username,
          input.displayName,
          input.active ? 'active' : 'disabled',
          JSON.stringify(scimAttributes(input.attributes)),
          directory.id,
          input.userName,
          input.externalId,
          JSON.stringify(input.emails),
        ]);
        if (!created) throw TAKEN();
        uow.emit('user.created', subjects.user(id), userEventData({ ...created, status: 'active' }));
        if (!input.active) uow.emit('user.disabled', subjects.user(id), userEventData(created));
        return created;
      });
    } catch (err) {
      throw uniqueViolation(err) ?? err;
    }
    return toScimUser(row, directory.base);
  }
}

function uniqueViolation(err: unknown): DomainError | undefined {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  if ((e?.code ?? e?.driverError?.code) !== '23505') return undefined;
  return UNIQUE[e?.constraint ?? e?.driverError?.constraint ?? '']?.();
}
