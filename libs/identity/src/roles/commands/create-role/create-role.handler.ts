import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { RoleResponse, toRoleResponse } from '../../dto/role.response';
import { ROLE_COLUMNS, roleActor, roleConflictFrom, RoleRow } from '../../role-row';
import { CreateRoleCommand } from './create-role.command';

/** Custom roles have no rank: they include only their own permissions. */
@CommandHandler(CreateRoleCommand)
export class CreateRoleHandler implements ICommandHandler<CreateRoleCommand, RoleResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: CreateRoleCommand): Promise<RoleResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const id = uuidv7();
    try {
      const row = await this.actors.send(roleActor(tenant.id, id), async (uow) => {
        const [created] = await uow.query<RoleRow[]>(
          `INSERT INTO roles (id, name, description, rank, permissions, builtin) VALUES ($1, $2, $3, NULL, $4, false) RETURNING ${ROLE_COLUMNS}`,
          [id, cmd.name, cmd.description, cmd.permissions],
        );
        uow.emit('role.created', subjects.role(id), { role_id: id, name: created.name, permissions: created.permissions });
        return created;
      });
      return toRoleResponse(row);
    } catch (err) {
      throw roleConflictFrom(err) ?? err;
    }
  }
}
