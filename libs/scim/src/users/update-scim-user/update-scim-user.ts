import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ChangeUserStatusCommand, provisioningCaller, UpdateUserCommand } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ScimDirectory } from '../../auth/scim-directory';
import { applyPatch } from '../../patch/scim-patch';
import { scimError } from '../../scim-error';
import { ScimUserStore } from '../scim-user-store';
import { MAPPED_ATTRIBUTE_KEYS, ScimUserRow, toScimUser, UNKEPT_USER_ATTRIBUTES, USER_ATTRIBUTES, UserInput, userInputFrom } from '../user-resource';

const NO_CLIENT = { ip: null, userAgent: null, deviceType: 'unknown', location: null };

/**
 * PUT (the whole resource) and PATCH (RFC 7644 §3.5.2, applied to the current resource, then read
 * as a whole one) on a directory's user. Changes go through identity's UpdateUserCommand; `active`
 * through ChangeUserStatusCommand, whose disable ends the user's sessions and refresh tokens at once.
 * An If-Match that is not the current version is 412 and changes nothing.
 */
@Injectable()
export class UpdateScimUser {
  constructor(
    private readonly commands: CommandBus,
    private readonly runner: TenantTransactionRunner,
    private readonly store: ScimUserStore,
  ) {}

  async replace(directory: ScimDirectory, userId: string, body: unknown, ifMatch: string | undefined): Promise<Record<string, unknown>> {
    const current = await this.current(directory, userId, ifMatch);
    return this.save(directory, current, userInputFrom(body));
  }

  async patch(directory: ScimDirectory, userId: string, body: unknown, ifMatch: string | undefined): Promise<Record<string, unknown>> {
    const current = await this.current(directory, userId, ifMatch);
    const patched = applyPatch(toScimUser(current, directory.base), body, USER_ATTRIBUTES, UNKEPT_USER_ATTRIBUTES);
    return this.save(directory, current, userInputFrom(patched));
  }

  private async current(directory: ScimDirectory, userId: string, ifMatch: string | undefined): Promise<ScimUserRow> {
    const row = await this.store.read(directory.id, userId);
    assertMatches(ifMatch, toScimUser(row, directory.base));
    return row;
  }

  private async save(directory: ScimDirectory, current: ScimUserRow, input: UserInput): Promise<Record<string, unknown>> {
    const caller = provisioningCaller(directory.id);
    if (input.userName.toLowerCase() !== current.user_name.toLowerCase()) {
      await this.runner.inTenant((uow) => this.store.assertUserNameFree(uow, directory.id, input.userName, current.id));
    }
    const attributes: Record<string, string | null> = {};
    for (const key of MAPPED_ATTRIBUTE_KEYS) if ((current.attributes[key] ?? null) !== input.attributes[key]) attributes[key] = input.attributes[key];
    if (!input.active && current.status !== 'disabled') await this.commands.execute(new ChangeUserStatusCommand(directory.tenantId, current.id, 'disable', caller));
    await this.commands.execute(
      new UpdateUserCommand(
        directory.tenantId,
        current.id,
        {
          email: input.email,
          username: input.username,
          ...(input.displayName !== null ? { displayName: input.displayName } : {}),
          ...(Object.keys(attributes).length ? { attributes } : {}),
        },
        { userId: caller, sessionId: '' },
        NO_CLIENT,
      ),
    );
    await this.runner.inTenant((uow) => this.store.link(uow, directory.id, current.id, input));
    if (input.active && current.status === 'disabled') await this.commands.execute(new ChangeUserStatusCommand(directory.tenantId, current.id, 'enable', caller));
    return toScimUser(await this.store.read(directory.id, current.id), directory.base);
  }
}

/** RFC 7644 §3.14: If-Match names the version the client read; `*` matches any. */
export function assertMatches(ifMatch: string | undefined, resource: Record<string, unknown>): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const version = (resource.meta as { version: string }).version;
  const strip = (v: string) => v.trim().replace(/^W\//, '');
  if (!ifMatch.split(',').some((v) => strip(v) === strip(version))) throw scimError('scim.precondition_failed', 'The resource changed since the version in If-Match.');
}
