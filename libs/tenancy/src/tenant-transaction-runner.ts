import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { lockForTransaction } from '@credence/database';
import { RequestContext, TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { writeToOutbox } from '@credence/outbox';
import { tenantSearchPath } from './schema-name';
import { UnitOfWork } from './unit-of-work';
import { EventsCommitted } from './events-committed';

export interface UnitOptions {
  /** Advisory locks taken (in this order) before the work runs; held until commit. */
  locks?: { key: string; mode?: 'exclusive' | 'shared' }[];
}

export const EVENT_SOURCE = Symbol('EVENT_SOURCE');

/**
 * The only place that opens a transaction on tenant data. It takes a pooled connection for
 * the unit of work, sets search_path transaction-locally, runs the work, writes the outbox,
 * commits, and only then publishes the events in-process.
 */
@Injectable()
export class TenantTransactionRunner {
  private source = 'credence';

  constructor(
    private readonly dataSource: DataSource,
    private readonly context: RequestContext,
    private readonly eventBus: EventBus,
  ) {}

  setSource(source: string): void {
    this.source = source;
  }

  /** A unit of work on the ambient tenant's schema; fails closed when no tenant is in context. */
  async inTenant<T>(work: (uow: UnitOfWork) => Promise<T>, options: UnitOptions = {}): Promise<T> {
    const tenant = this.context.requireTenant();
    return this.run(tenant, tenantSearchPath(tenant.schema), work, options);
  }

  /** A unit of work on the platform schema only (registry, keys, outbox). */
  inPlatform<T>(work: (uow: UnitOfWork) => Promise<T>, options: UnitOptions = {}): Promise<T> {
    return this.run(null, 'platform', work, options);
  }

  /** Checks that a command's tenant is the ambient one (commands carry tenantId in their type). */
  assertAmbientTenant(tenantId: string): TenantRef {
    const tenant = this.context.requireTenant();
    if (tenant.id !== tenantId) throw new DomainError('tenant.context_missing', 'The command targets another tenant than the context.');
    return tenant;
  }

  private async run<T>(tenant: TenantRef | null, searchPath: string, work: (uow: UnitOfWork) => Promise<T>, options: UnitOptions): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let uow: UnitOfWork | undefined;
    let result: T;
    try {
      await runner.startTransaction();
      await runner.query("SELECT set_config('search_path', $1, true)", [searchPath]);
      for (const lock of options.locks ?? []) await lockForTransaction(runner, lock.key, lock.mode);
      uow = new UnitOfWork(runner.manager, tenant, {
        source: this.source,
        actor: this.context.principal, // the event records who acted: the request's principal
        traceparent: this.context.traceparent,
        traceId: this.context.traceId,
      });
      result = await work(uow);
      await writeToOutbox(runner.manager, uow.events);
      await runner.commitTransaction();
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
    if (uow.events.length) this.eventBus.publish(new EventsCommitted(uow.events.map((e) => e.envelope)));
    return result;
  }
}
