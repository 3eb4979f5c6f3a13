import { AssignRoleHandler } from './commands/assign-role/assign-role.handler';
import { ChangeUserStatusHandler } from './commands/change-user-status/change-user-status.handler';
import { CreateUserHandler } from './commands/create-user/create-user.handler';
import { DeleteUserHandler } from './commands/delete-user/delete-user.handler';
import { RemoveRoleHandler } from './commands/remove-role/remove-role.handler';
import { UpdateUserHandler } from './commands/update-user/update-user.handler';
import { CurrentPasswordProof } from './password/current-password-proof';
import { PasswordPolicy } from './password/password-policy';
import { GetUserHandler } from './queries/get-user/get-user.handler';
import { ListUsersHandler } from './queries/list-users/list-users.handler';
import { UsersController } from './users.controller';

export const USERS_CONTROLLERS = [UsersController];
export const USERS_PROVIDERS = [
  PasswordPolicy,
  CurrentPasswordProof,
  CreateUserHandler,
  UpdateUserHandler,
  ChangeUserStatusHandler,
  DeleteUserHandler,
  AssignRoleHandler,
  RemoveRoleHandler,
  GetUserHandler,
  ListUsersHandler,
];
