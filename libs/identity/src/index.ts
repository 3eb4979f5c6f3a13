export * from './identity.module';
export * from './seed/default-roles';
export * from './seed/seed-new-tenant';
