import 'reflect-metadata';
import { runMain } from '@credence/runtime';
import { AuditAppModule } from '../../audit/src/audit-app.module';
import { AuthAppModule } from '../../auth/src/auth-app.module';
import { FederationAppModule } from '../../federation/src/federation-app.module';
import { SyncAppModule } from '../../sync/src/sync-app.module';

/** `npm start`: the four apps in one process on one port; their route prefixes never collide. */
runMain('platform', [AuthAppModule, FederationAppModule, SyncAppModule, AuditAppModule]);
