import { AuthorizationService } from './authorization.service';
import { CheckAccessController } from './check-access/check-access.controller';
import { CheckAccessHandler } from './check-access/check-access.handler';
import { TargetRankGuard } from './target-rank.guard';
import { TargetRank } from './target-rank.service';

export const AUTHZ_CONTROLLERS = [CheckAccessController];
export const AUTHZ_PROVIDERS = [AuthorizationService, CheckAccessHandler, TargetRank, TargetRankGuard];
