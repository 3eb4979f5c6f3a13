import { CreateServiceCredentialHandler } from './commands/create-service-credential/create-service-credential.handler';
import { RevokeServiceCredentialHandler } from './commands/revoke-service-credential/revoke-service-credential.handler';
import { ListServiceCredentialsHandler } from './queries/list-service-credentials/list-service-credentials.handler';
import { ServiceClientAuthenticator } from './service-client-authenticator';
import { ServiceCredentialCache } from './service-credential-cache';
import { ServiceCredentialsController } from './service-credentials.controller';

export const SERVICE_CREDENTIALS_CONTROLLERS = [ServiceCredentialsController];
export const SERVICE_CREDENTIALS_PROVIDERS = [
  CreateServiceCredentialHandler,
  RevokeServiceCredentialHandler,
  ListServiceCredentialsHandler,
  ServiceClientAuthenticator,
  ServiceCredentialCache,
];
