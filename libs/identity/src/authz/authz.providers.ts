import { AuthorizationService } from './authorization.service';
import { CheckAccessController } from './check-access/check-access.controller';
import { CheckAccessHandler } from './check-access/check-access.handler';
import { PermissionGuard } from './permission.guard';
import { UserOrServiceGuard } from './user-or-service.guard';

export const AUTHZ_CONTROLLERS = [CheckAccessController];
export const AUTHZ_PROVIDERS = [AuthorizationService, PermissionGuard, UserOrServiceGuard, CheckAccessHandler];
