import { Inject, Injectable, Module } from '@nestjs/common';
import { eachBatch, RegisterRetentionRule, RetentionInput, RetentionRule, RulePass } from '@credence/tenancy';
import { EVENTS_CONFIG, EventsConfig } from '../events-config';
import { purgeSentOutboxRows } from './purge-sent';

/** Sent outbox rows, EVENTS_OUTBOX_KEEP_SECONDS after they were written and published; unsent ones never. */
@Injectable()
@RegisterRetentionRule()
export class OutboxRetention implements RetentionRule {
  readonly name = 'outbox_rows_purged';
  readonly scope = 'platform';
  readonly order = 10;

  constructor(@Inject(EVENTS_CONFIG) private readonly events: EventsConfig) {}

  start(i: RetentionInput): RulePass {
    return eachBatch(i.limit, (uow) => purgeSentOutboxRows(uow.query.bind(uow), { asOf: i.asOf, keepSeconds: this.events.EVENTS_OUTBOX_KEEP_SECONDS, limit: i.limit }));
  }
}

/** The outbox's retention rule, for the process that runs retention (the audit lib imports it). */
@Module({ providers: [OutboxRetention] })
export class OutboxRetentionModule {}
