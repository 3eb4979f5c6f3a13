import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DEFAULT_ROLES } from '../../../seed/default-roles';
import { RoleResponse, toRoleResponse } from '../../dto/role.response';
import { getRole, ROLE_COLUMNS, roleActor, roleConflictFrom, RoleRow } from '../../role-row';
import { UpdateRoleCommand } from './update-role.command';

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** A built-in tier keeps its name and its default permissions; anything may be added to it. */
function assertBuiltinKept(role: RoleRow, name: string | undefined, permissions: string[] | undefined): void {
  if (!role.builtin) return;
  if (name !== undefined && name !== role.name) throw new DomainError('role.builtin');
  const defaults: readonly string[] = DEFAULT_ROLES.find((d) => d.name === role.name)?.permissions ?? [];
  const missing = permissions ? defaults.filter((p) => !permissions.includes(p)) : [];
  if (missing.length) {
    throw new DomainError('role.builtin', `Built-in roles keep their default permissions; missing: ${missing.join(', ')}.`, [
      { field: 'permissions', issue: `must keep ${missing.join(', ')}` },
    ]);
  }
}

@CommandHandler(UpdateRoleCommand)
export class UpdateRoleHandler implements ICommandHandler<UpdateRoleCommand, RoleResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: UpdateRoleCommand): Promise<RoleResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const { id } = await this.runner.inTenant((uow) => getRole(uow, cmd.role));
    const { name, description, permissions } = cmd.changes;
    try {
      const row = await this.actors.send(roleActor(tenant.id, id), async (uow) => {
        const current = await getRole(uow, id, 'FOR UPDATE');
        assertBuiltinKept(current, name, permissions);
        const changed: string[] = [];
        if (name !== undefined && name !== current.name) changed.push('name');
        if (description !== undefined && description !== current.description) changed.push('description');
        if (permissions !== undefined && !sameSet(permissions, current.permissions)) changed.push('permissions');
        if (!changed.length) return current;
        const [updated] = await uow.query<RoleRow[]>(
          `UPDATE roles SET name = $2, description = $3, permissions = $4, updated_at = now() WHERE id = $1 RETURNING ${ROLE_COLUMNS}`,
          [id, name ?? current.name, description ?? current.description, permissions ?? current.permissions],
        );
        uow.emit('role.updated', subjects.role(id), { role_id: id, name: updated.name, permissions: updated.permissions, changed });
        return updated;
      });
      return toRoleResponse(row);
    } catch (err) {
      throw roleConflictFrom(err) ?? err;
    }
  }
}
