import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventsConfigModule, OutboxRetentionModule } from '@credence/event-relay';
import { EventStoreRetentionModule } from '@credence/event-store';
import { IdentityCoreModule } from '@credence/identity';
import { DETECTION_PROVIDERS } from './detection/detection.providers';
import { ERASURE_CONTROLLERS, ERASURE_PROVIDERS } from './erasure/erasure.providers';
import { EXTERNAL_CONTROLLERS, EXTERNAL_PROVIDERS } from './external/external.providers';
import { INGEST_CONTROLLERS, INGEST_PROVIDERS } from './ingest/ingest.providers';
import { QUERY_CONTROLLERS, QUERY_PROVIDERS } from './query/query.providers';
import { RETENTION_CONTROLLERS, RETENTION_PROVIDERS } from './retention/retention.providers';
import { SETTINGS_CONTROLLERS, SETTINGS_PROVIDERS } from './settings/settings.providers';

/**
 * The audit trail: ingest from the event transport into each tenant's hash-chained log, events
 * reported by services (under external.*), security detection, the read API, retention workers, erasure and the tenant's retention and detection settings.
 */
@Module({
  // Identity's TargetRank judges erasure: nobody erases a user who outranks them.
  // The retention runner finds the registered rules (DiscoveryModule); identity, the outbox and the event store supply theirs.
  imports: [CqrsModule, DiscoveryModule, EventsConfigModule, IdentityCoreModule, OutboxRetentionModule, EventStoreRetentionModule],
  controllers: [...INGEST_CONTROLLERS, ...EXTERNAL_CONTROLLERS, ...QUERY_CONTROLLERS, ...RETENTION_CONTROLLERS, ...ERASURE_CONTROLLERS, ...SETTINGS_CONTROLLERS],
  providers: [...INGEST_PROVIDERS, ...EXTERNAL_PROVIDERS, ...DETECTION_PROVIDERS, ...QUERY_PROVIDERS, ...RETENTION_PROVIDERS, ...ERASURE_PROVIDERS, ...SETTINGS_PROVIDERS],
})
export class AuditModule {}
