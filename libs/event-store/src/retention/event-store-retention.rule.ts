import { Inject, Injectable, Module } from '@nestjs/common';
import { EVENTS_CONFIG, EventsConfig } from '@credence/event-relay';
import { eachBatch, RegisterRetentionRule, RetentionInput, RetentionRule, RulePass, TenantStore } from '@credence/tenancy';
import { purgeExpiredEvents } from './purge-expired-events';

/** Stored events past their tenant's event_retention_days, or EVENTS_STORE_RETENTION_DAYS for tenants without one. */
@Injectable()
@RegisterRetentionRule()
export class EventStoreRetention implements RetentionRule {
  readonly name = 'event_store_rows_purged';
  readonly scope = 'platform';
  readonly order = 20;

  constructor(
    @Inject(EVENTS_CONFIG) private readonly events: EventsConfig,
    private readonly tenants: TenantStore,
  ) {}

  start(i: RetentionInput): RulePass {
    return eachBatch(i.limit, async (uow) => {
      // Each batch reads the tenants' own retention in its transaction, as a join on the registry did.
      const overrides = await this.tenants.settingOverrides('event_retention_days', uow);
      return purgeExpiredEvents(uow.query.bind(uow), { asOf: i.asOf, defaultDays: this.events.EVENTS_STORE_RETENTION_DAYS, limit: i.limit, overrides });
    });
  }
}

/** The event store's retention rule, for the process that runs retention (the audit lib imports it). */
@Module({ providers: [EventStoreRetention] })
export class EventStoreRetentionModule {}
