import { EntityManager } from 'typeorm';
import type { NamedSql } from '@credence/database';
import { EventCatalogue, EventType, PLATFORM_TENANT_ID } from '@credence/contracts';
import { EventOrigin, makeEvent, PendingEvent } from '@credence/outbox';
import type { TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';

/**
 * What a unit of work sees: the transaction's EntityManager (search_path already set) and an
 * emit() whose events are written to the outbox just before the same transaction commits.
 */
export class UnitOfWork {
  readonly events: PendingEvent[] = [];

  constructor(
    readonly manager: EntityManager,
    readonly tenant: TenantRef | null,
    private readonly origin: EventOrigin,
  ) {}

  /**
   * Raw SQL in this transaction. Always resolves to the rows (TypeORM alone returns [rows, count] for UPDATE/DELETE).
   * A NamedSql is prepared once per pooled connection (TypeORM hands the query through to node-postgres as is).
   */
  async query<T = unknown>(sql: string | NamedSql, params?: unknown[]): Promise<T> {
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error('unit of work has no query runner');
    const result = await runner.query(sql as string, params, true);
    return result.records as T;
  }

  /**
   * `tenantId` defaults to the unit's tenant; platform-level units may name the tenant an event is
   * about. A tenant's unit may not name another: its event would reach that tenant's consumers and trail.
   */
  emit<T extends EventType>(type: T, aggregate: string, data: EventCatalogue[T], tenantId?: string): void {
    if (this.tenant && tenantId !== undefined && tenantId !== this.tenant.id) {
      throw new DomainError('tenant.context_missing', 'The event names another tenant than the unit of work.');
    }
    const tid = tenantId ?? this.tenant?.id ?? PLATFORM_TENANT_ID;
    this.events.push(makeEvent(type, tid, aggregate, data, this.origin));
  }
}
