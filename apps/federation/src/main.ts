import 'reflect-metadata';
import { runMain } from '@credence/runtime';
import { FederationAppModule } from './federation-app.module';

runMain('federation', [FederationAppModule]);
