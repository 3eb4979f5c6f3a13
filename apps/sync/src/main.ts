import 'reflect-metadata';
import { runMain } from '@credence/runtime';
import { SyncAppModule } from './sync-app.module';

runMain('sync', [SyncAppModule]);
