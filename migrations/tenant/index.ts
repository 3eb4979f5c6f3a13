import type { MigrationSet } from '@credence/database';
import { CreateIdentityTables1732560000001 } from './1732560000001-create-identity-tables';
import { CreateSessionsAndCredentials1732560000002 } from './1732560000002-create-sessions-and-credentials';
import { GrantPermissionCheck1732560000003 } from './1732560000003-grant-permission-check';
import { CreateAuditTrail1732560000004 } from './1732560000004-create-audit-trail';
import { AuditQueryStatistics1732560000005 } from './1732560000005-audit-query-statistics';
import { RetentionIndexes1732560000006 } from './1732560000006-retention-indexes';
import { HotSessionAnonymisation1732560000007 } from './1732560000007-hot-session-anonymisation';
import { GrantResetPassword1732560000008 } from './1732560000008-grant-reset-password';
import { GrantEventRead1732560000009 } from './1732560000009-grant-event-read';
import { ServiceCredentialPermissions1732560000010 } from './1732560000010-service-credential-permissions';
import { CreateApplications1732560000011 } from './1732560000011-create-applications';
import { RevokedSessionTombstones1732560000012 } from './1732560000012-revoked-session-tombstones';
import { BrowserSessions1732560000013 } from './1732560000013-browser-sessions';
import { Federation1732560000014 } from './1732560000014-federation';
import { InitiateLoginAndSubjectFormat1732560000015 } from './1732560000015-initiate-login-and-subject-format';
import { Webhooks1732560000016 } from './1732560000016-webhooks';
import { DirectorySync1732560000017 } from './1732560000017-directory-sync';
import { Scim1732560000018 } from './1732560000018-scim';
import { LdapSync1732560000019 } from './1732560000019-ldap-sync';
import { SyncRunHashes1732560000020 } from './1732560000020-sync-run-hashes';
import { HotRefreshRotation1732560000021 } from './1732560000021-hot-refresh-rotation';

/** Tenant schema migrations, in order. Append only; never name a schema. */
export const tenantMigrations: MigrationSet = {
  historyTable: 'tenant_migrations',
  migrations: [
    CreateIdentityTables1732560000001,
    CreateSessionsAndCredentials1732560000002,
    GrantPermissionCheck1732560000003,
    CreateAuditTrail1732560000004,
    AuditQueryStatistics1732560000005,
    RetentionIndexes1732560000006,
    HotSessionAnonymisation1732560000007,
    GrantResetPassword1732560000008,
    GrantEventRead1732560000009,
    ServiceCredentialPermissions1732560000010,
    CreateApplications1732560000011,
    RevokedSessionTombstones1732560000012,
    BrowserSessions1732560000013,
    Federation1732560000014,
    InitiateLoginAndSubjectFormat1732560000015,
    Webhooks1732560000016,
    DirectorySync1732560000017,
    Scim1732560000018,
    LdapSync1732560000019,
    SyncRunHashes1732560000020,
    HotRefreshRotation1732560000021,
  ],
};
