export * from './audit.module';
export * from './trail/audit-record';
export * from './trail/canonical-json';
export * from './trail/chain';
export * from './trail/classify-event';
export * from './retention/tenant-retention';
