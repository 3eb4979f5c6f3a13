import { EntityManager } from 'typeorm';
import type { NamedSql } from '@credence/database';
import { EventCatalogue, EventType, PLATFORM_TENANT_ID } from '@credence/contracts';
import { EventOrigin, makeEvent, PendingEvent } from '@credence/outbox';
import type { TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';

/** Sends a unit's last statement with its COMMIT right behind it, and resolves with the statement's rows once both are answered. */
export type FinalQuery = (sql: string | NamedSql, params: unknown[] | undefined) => Promise<unknown>;

/**
 * What a unit of work sees: the transaction's EntityManager (search_path already set) and an
 * emit() whose events are written to the outbox just before the same transaction commits.
 */
export class UnitOfWork {
  /** Every event of the unit, published in-process once it has committed. */
  readonly events: PendingEvent[] = [];
  /** Those whose outbox row a statement of the unit wrote itself (emitWritten); the commit writes the others. */
  private readonly writtenByStatement = new Set<PendingEvent>();
  private finished = false;

  constructor(
    readonly manager: EntityManager,
    readonly tenant: TenantRef | null,
    private readonly origin: EventOrigin,
    private readonly finalQuery?: FinalQuery,
  ) {}

  /** The events the commit still has to write to the outbox. */
  get eventsToWrite(): PendingEvent[] {
    return this.events.filter((e) => !this.writtenByStatement.has(e));
  }

  /** The unit committed through queryThenCommit(): nothing is left for the runner to write or commit. */
  get committed(): boolean {
    return this.finished;
  }

  /**
   * Raw SQL in this transaction. Always resolves to the rows (TypeORM alone returns [rows, count] for UPDATE/DELETE).
   * A NamedSql is prepared once per pooled connection (TypeORM hands the query through to node-postgres as is).
   */
  async query<T = unknown>(sql: string | NamedSql, params?: unknown[]): Promise<T> {
    if (this.finished) throw new Error('the unit of work has already committed');
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
    // After queryThenCommit nothing writes the outbox any more: the event would be lost without a word.
    if (this.finished) throw new Error('the unit of work has already committed; its events must be written by its last statement');
    this.events.push(this.event(type, aggregate, data, tenantId));
  }

  /**
   * The unit's last statement, with COMMIT pipelined right behind it: one round trip for both, and for a
   * unit that has sent nothing before, one socket write for BEGIN, the statement and COMMIT. If the
   * statement fails, the COMMIT ends the aborted transaction as a rollback and the statement's error is
   * thrown. Nothing may run in the unit afterwards. Events emitted before it would be left unwritten, so
   * they are refused: a statement that records events writes their outbox rows itself (emitWritten).
   */
  async queryThenCommit<T = unknown>(sql: string | NamedSql, params?: unknown[]): Promise<T> {
    if (this.finished) throw new Error('the unit of work has already committed');
    if (!this.finalQuery) throw new Error('this unit of work cannot commit early');
    if (this.eventsToWrite.length) throw new Error('events were emitted before queryThenCommit; the statement must write them (emitWritten)');
    this.finished = true;
    return (await this.finalQuery(sql, params)) as T;
  }

  /** An event of this unit, made but not recorded: for a statement that writes its outbox row (outboxRowParams), recorded with emitWritten(). */
  event<T extends EventType>(type: T, aggregate: string, data: EventCatalogue[T], tenantId?: string): PendingEvent {
    if (this.tenant && tenantId !== undefined && tenantId !== this.tenant.id) {
      throw new DomainError('tenant.context_missing', 'The event names another tenant than the unit of work.');
    }
    return makeEvent(type, tenantId ?? this.tenant?.id ?? PLATFORM_TENANT_ID, aggregate, data, this.origin);
  }

  /** Records an event whose outbox row a statement of this unit has written: published after the commit like any other, not written again. */
  emitWritten(event: PendingEvent): void {
    this.writtenByStatement.add(event);
    this.events.push(event);
  }
}
