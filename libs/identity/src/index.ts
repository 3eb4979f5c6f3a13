export * from './identity.module';
export * from './seed/default-roles';
export * from './seed/seed-new-tenant';
export * from './tenant-entities';
export * from './users/entities/user.tenant-entity';
