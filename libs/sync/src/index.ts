export * from './sync.module';
export * from './batch/sync-user-record';
export { CHUNK_SIZE, ProcessSyncRun } from './runs/process-run/process-sync-run';
export { MAX_BATCH_USERS, SYNC_BATCH_BODY_LIMIT_BYTES } from './runs/submit-batch/submit-batch';
export { RunLdapSync } from './ldap-sync/run-ldap-sync/run-ldap-sync';
export { StartLdapSync } from './ldap-sync/start-ldap-sync/start-ldap-sync';
export { ldapSource, LDAP_PAGE_SIZE } from './ldap-sync/ldap-source';
export { LdapSyncSweep } from './ldap-sync/schedule/ldap-sync-sweep';
