import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Environment, loadConfig, readEnvironment } from '@credence/config';
import { ensureDatabase, migratePlatform } from '@credence/database';
import { TenantMigrator } from '@credence/tenancy';
import { platformMigrations } from '@migrations/platform';
import { coreModule } from './core.module';

/**
 * `npm run migrate`: platform migrations, then every tenant's with bounded concurrency.
 * `npm run migrate:status`: each tenant's db_version against the target. Exit 1 when a tenant failed.
 */
export async function migrateCommand(args: string[], env: Environment = readEnvironment()): Promise<number> {
  const { config } = loadConfig({ LOG_LEVEL: 'warn', ...env });
  await ensureDatabase(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(coreModule(config, 'migrate', []), { logger: ['error', 'warn'] });
  try {
    const platform = await migratePlatform(app.get(DataSource), platformMigrations);
    const migrator = app.get(TenantMigrator);
    if (args[0] === 'status') {
      const status = await migrator.status();
      process.stdout.write(`target tenant db_version: ${status.target}\n`);
      for (const t of status.tenants) {
        process.stdout.write(`${t.slug.padEnd(64)} ${t.status.padEnd(12)} db_version=${t.db_version}${t.current ? '' : '  (behind)'}\n`);
      }
      return 0;
    }
    const started = performance.now();
    const { tenants: reports, spares } = await migrator.migrateEverything();
    const failed = reports.filter((r) => r.error);
    const changed = reports.filter((r) => r.applied.length);
    for (const f of failed) process.stderr.write(`tenant ${f.slug} (${f.tenant_id}) failed: ${f.error}\n`);
    // A spare that failed is dropped (the pool makes another), so it does not fail the run.
    for (const d of spares.dropped) process.stderr.write(`spare schema ${d.schema} dropped: ${d.error}\n`);
    process.stdout.write(
      `platform: ${platform.applied.length} applied (version ${platform.version}); tenants: ${reports.length} checked, ` +
        `${changed.length} migrated, ${failed.length} failed; spare schemas: ${spares.migrated} migrated, ${spares.dropped.length} dropped; ` +
        `in ${Math.round(performance.now() - started)} ms\n`,
    );
    return failed.length ? 1 : 0;
  } finally {
    await app.close();
  }
}
