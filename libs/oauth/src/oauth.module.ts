import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ApplicationClients } from './applications/application-clients';
import { APPLICATIONS_CONTROLLERS, APPLICATIONS_PROVIDERS } from './applications/applications.providers';

/**
 * Credence as each tenant's OpenID Provider. So far: the tenant's applications (its OAuth clients).
 * The authorization, token, userinfo and logout endpoints come next (docs/oidc.md).
 */
@Module({
  imports: [CqrsModule],
  controllers: [...APPLICATIONS_CONTROLLERS],
  providers: [...APPLICATIONS_PROVIDERS],
  exports: [ApplicationClients],
})
export class OauthModule {}
