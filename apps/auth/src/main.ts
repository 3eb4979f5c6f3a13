import 'reflect-metadata';
import { runMain } from '@credence/runtime';
import { AuthAppModule } from './auth-app.module';

runMain('auth', [AuthAppModule]);
