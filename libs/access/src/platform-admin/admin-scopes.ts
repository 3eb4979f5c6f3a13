import { SetMetadata } from '@nestjs/common';

export const ADMIN_SCOPES = ['tenants:read', 'tenants:write', 'api_keys:manage', 'webhooks:manage'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

export const REQUIRED_SCOPES = 'credence:admin-scopes';
/** The scopes a platform API key needs for this route (all of them). */
export const AdminScopes = (...scopes: AdminScope[]) => SetMetadata(REQUIRED_SCOPES, scopes);
