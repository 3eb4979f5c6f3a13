export * from './scim.module';
