import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthenticationGuard } from './authentication.guard';
import { PermissionGuard } from './permission/permission.guard';
import { ApiKeyStore } from './platform-admin/api-key-store';
import { PlatformAdminAuthenticator } from './platform-admin/platform-admin.authenticator';

/**
 * Authentication for every process: the global guard (closed by default), platform admins by API key,
 * and the permission guard. Users and services are verified through ports that identity binds.
 */
@Global()
@Module({
  providers: [ApiKeyStore, PlatformAdminAuthenticator, PermissionGuard, { provide: APP_GUARD, useClass: AuthenticationGuard }],
  exports: [ApiKeyStore, PermissionGuard],
})
export class AccessModule {}
