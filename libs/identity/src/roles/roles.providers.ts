import { CreateRoleHandler } from './commands/create-role/create-role.handler';
import { DeleteRoleHandler } from './commands/delete-role/delete-role.handler';
import { UpdateRoleHandler } from './commands/update-role/update-role.handler';
import { GetRoleHandler } from './queries/get-role/get-role.handler';
import { ListRolesHandler } from './queries/list-roles/list-roles.handler';
import { RolesController } from './roles.controller';

export const ROLES_CONTROLLERS = [RolesController];
export const ROLES_PROVIDERS = [CreateRoleHandler, UpdateRoleHandler, DeleteRoleHandler, GetRoleHandler, ListRolesHandler];
