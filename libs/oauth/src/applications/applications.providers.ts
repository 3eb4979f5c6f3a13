import { ApplicationCache, ApplicationChanges } from './application-cache';
import { ApplicationClients } from './application-clients';
import { ApplicationsController } from './applications.controller';
import { CreateApplicationHandler } from './commands/create-application/create-application.handler';
import { DeleteApplicationHandler } from './commands/delete-application/delete-application.handler';
import { RotateApplicationSecretHandler } from './commands/rotate-application-secret/rotate-application-secret.handler';
import { UpdateApplicationHandler } from './commands/update-application/update-application.handler';
import { GetApplicationHandler } from './queries/get-application/get-application.handler';
import { ListApplicationsHandler } from './queries/list-applications/list-applications.handler';
import { RedirectUriPolicy } from './redirect-uri-policy';

export const APPLICATIONS_CONTROLLERS = [ApplicationsController];
/** Reading applications (the sign-in paths); shared through OauthInteractionsModule. */
export const APPLICATION_READERS = [ApplicationClients, ApplicationCache, ApplicationChanges];
export const APPLICATIONS_PROVIDERS = [
  RedirectUriPolicy,
  CreateApplicationHandler,
  UpdateApplicationHandler,
  DeleteApplicationHandler,
  RotateApplicationSecretHandler,
  GetApplicationHandler,
  ListApplicationsHandler,
];
