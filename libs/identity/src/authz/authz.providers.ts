import { AuthorizationService } from './authorization.service';
import { CheckAccessController } from './check-access/check-access.controller';
import { CheckAccessHandler } from './check-access/check-access.handler';

export const AUTHZ_CONTROLLERS = [CheckAccessController];
export const AUTHZ_PROVIDERS = [AuthorizationService, CheckAccessHandler];
