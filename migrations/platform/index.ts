import type { MigrationSet } from '@credence/database';
import { CreatePlatformRegistry1732560000000 } from './1732560000000-create-platform-registry';
import { CreateEventStore1732570000000 } from './1732570000000-create-event-store';
import { CreatePlatformAuditAndRetention1732580000000 } from './1732580000000-create-platform-audit-and-retention';
import { TenantRowSecurity1732590000000 } from './1732590000000-tenant-row-security';
import { TenantSpares1732600000000 } from './1732600000000-tenant-spares';
import { PlatformWebhooks1732610000000 } from './1732610000000-platform-webhooks';
import { OutboxWithoutTenantIndex1732620000000 } from './1732620000000-outbox-without-tenant-index';

/** Platform schema migrations, in order. Append only. */
export const platformMigrations: MigrationSet = {
  historyTable: 'platform_migrations',
  migrations: [
    CreatePlatformRegistry1732560000000,
    CreateEventStore1732570000000,
    CreatePlatformAuditAndRetention1732580000000,
    TenantRowSecurity1732590000000,
    TenantSpares1732600000000,
    PlatformWebhooks1732610000000,
    OutboxWithoutTenantIndex1732620000000,
  ],
};
