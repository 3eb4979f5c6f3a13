import 'reflect-metadata';
import { runMain } from '@credence/runtime';
import { AuditAppModule } from './audit-app.module';

runMain('audit', [AuditAppModule]);
