import { CreateConnectionHandler } from './commands/create-connection/create-connection.handler';
import { DeleteConnectionHandler } from './commands/delete-connection/delete-connection.handler';
import { RotateSpCredentialsHandler } from './commands/rotate-sp-credentials/rotate-sp-credentials.handler';
import { TestConnectionHandler } from './commands/test-connection/test-connection.handler';
import { UpdateConnectionHandler } from './commands/update-connection/update-connection.handler';
import { ConnectionSettings } from './connection-settings';
import { ConnectionsController } from './connections.controller';
import { IdpMetadataSource } from './idp-metadata-source';
import { MetadataRefresh } from './metadata-refresh/metadata-refresh';
import { GetConnectionHandler } from './queries/get-connection/get-connection.handler';
import { ListConnectionsHandler } from './queries/list-connections/list-connections.handler';

export const CONNECTIONS_CONTROLLERS = [ConnectionsController];
export const CONNECTIONS_PROVIDERS = [
  ConnectionSettings,
  IdpMetadataSource,
  CreateConnectionHandler,
  UpdateConnectionHandler,
  DeleteConnectionHandler,
  TestConnectionHandler,
  RotateSpCredentialsHandler,
  GetConnectionHandler,
  ListConnectionsHandler,
  MetadataRefresh,
];
