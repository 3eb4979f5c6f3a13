export * from './advisory-lock';
export * from './data-source.factory';
export * from './database-roles';
export * from './embedded-postgres';
export * from './ensure-database';
export * from './migration-set';
export * from './platform-migrator';
export * from './entities.module';
