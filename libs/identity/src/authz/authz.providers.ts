import { AuthorizationService } from './authorization.service';
import { CheckAccessController } from './check-access/check-access.controller';
import { CheckAccessHandler } from './check-access/check-access.handler';
import { PermissionGuard } from './permission.guard';
import { TargetRankGuard } from './target-rank.guard';
import { TargetRank } from './target-rank.service';
import { UserOrServiceGuard } from './user-or-service.guard';

export const AUTHZ_CONTROLLERS = [CheckAccessController];
export const AUTHZ_PROVIDERS = [AuthorizationService, PermissionGuard, UserOrServiceGuard, CheckAccessHandler, TargetRank, TargetRankGuard];
