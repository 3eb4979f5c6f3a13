export * from './platform-admin.module';
export * from './tenants/dto/slug';
export * from './tenants/provisioning/provisioning-recovery';
export * from './tenants/provisioning/tenant-provisioner';
