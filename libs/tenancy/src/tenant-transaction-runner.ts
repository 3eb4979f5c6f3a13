import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DataSource, QueryRunner } from 'typeorm';
import { RequestContext, TenantRef } from '@credence/context';
import type { NamedSql } from '@credence/database';
import { DomainError } from '@credence/errors';
import { outboxThenCommitSql } from '@credence/outbox';
import { TenantRoles } from './roles/tenant-roles';
import { tenantSearchPath } from './schema-name';
import { beginUnitSql, UnitLock } from './begin-unit';
import { UnitOfWork } from './unit-of-work';
import { EventsCommitted } from './events-committed';

export interface UnitOptions {
  /** Advisory locks taken (in this order) before the work runs, in the round trip that opens the transaction; held until commit. */
  locks?: UnitLock[];
  /**
   * The work relies on its locks only through its statements: before its first query it does nothing
   * another holder of the locks could race (computing is fine; Redis, HTTP or a hash stored elsewhere
   * is not). The opening is then not waited for: the locks leave in the same socket write as the
   * first statement (or as the outbox rows and COMMIT of a unit that only emits), and Postgres runs
   * that statement once they are held. One round trip less per unit. Actors' handlers all begin with
   * a query (ActorSystem sets it).
   */
  pipelineLocks?: boolean;
  /**
   * Run a tenant unit as the login role that owns the schema instead of the tenant's role: for
   * provisioning and migrations only (DDL, the registry, creating the role itself).
   */
  asOwner?: boolean;
  /**
   * A platform unit only: a schema of the platform's own searched before `platform`, for tables that
   * share a name with a tenant table (platform webhooks have a tenant's webhooks tables). Such tables
   * cannot live in `platform`: a tenant's search path ends in it, so a name there could catch a query
   * meant for the tenant's schema.
   */
  platformSideSchema?: 'platform_webhooks';
}

export const EVENT_SOURCE = Symbol('EVENT_SOURCE');

/** The node-postgres client under a connected QueryRunner. */
interface PgConnection {
  query(sql: string): Promise<unknown>;
  connection?: { stream?: { cork(): void; uncork(): void } };
}

/**
 * The only place that opens a transaction on tenant data. It takes a pooled connection for
 * the unit of work, opens the transaction with search_path and the tenant's role set
 * transaction-locally and its advisory locks taken (one round trip), runs the work, writes the outbox and commits (one round
 * trip), and only then publishes the events in-process (EventsCommitted, which also wakes the relay).
 * The role can reach the tenant's own schema only (TenantRoles), so SQL that names another
 * tenant's schema, or the registry, fails in Postgres whatever built it.
 */
@Injectable()
export class TenantTransactionRunner {
  private source = 'credence';

  constructor(
    private readonly dataSource: DataSource,
    private readonly context: RequestContext,
    private readonly eventBus: EventBus,
    private readonly roles: TenantRoles,
  ) {}

  setSource(source: string): void {
    this.source = source;
  }

  /** A unit of work on the ambient tenant's schema; fails closed when no tenant is in context. */
  async inTenant<T>(work: (uow: UnitOfWork) => Promise<T>, options: UnitOptions = {}): Promise<T> {
    const tenant = this.context.requireTenant();
    const role = options.asOwner ? null : await this.roles.roleOf(tenant.schema);
    return this.run(tenant, tenantSearchPath(tenant.schema), role, work, options);
  }

  /**
   * A unit of work on the ambient tenant that is one statement and records no event: BEGIN with its
   * settings, the statement and COMMIT leave in one socket write and are answered in one round trip
   * (UnitOfWork.queryThenCommit). For the reads, and single writes, on a request's path.
   */
  queryInTenant<T = unknown>(sql: string | NamedSql, params?: unknown[]): Promise<T> {
    return this.inTenant((uow) => uow.queryThenCommit<T>(sql, params));
  }

  /** A unit of work on the platform schema only (registry, keys, outbox). */
  inPlatform<T>(work: (uow: UnitOfWork) => Promise<T>, options: UnitOptions = {}): Promise<T> {
    const searchPath = options.platformSideSchema ? `${options.platformSideSchema},platform` : 'platform';
    return this.run(null, searchPath, null, work, options);
  }

  /** Checks that a command's tenant is the ambient one (commands carry tenantId in their type). */
  assertAmbientTenant(tenantId: string): TenantRef {
    const tenant = this.context.requireTenant();
    if (tenant.id !== tenantId) throw new DomainError('tenant.context_missing', 'The command targets another tenant than the context.');
    return tenant;
  }

  private async run<T>(tenant: TenantRef | null, searchPath: string, role: string | null, work: (uow: UnitOfWork) => Promise<T>, options: UnitOptions): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let uow: UnitOfWork | undefined;
    let result: T;
    let begun: Promise<Error | undefined> | undefined;
    try {
      const waitForLocks = !!options.locks?.length && !options.pipelineLocks;
      begun = this.begin(runner, searchPath, role, options.locks, !waitForLocks);
      // Locks are held before the work runs, whatever it does first (it may coordinate through them without a query).
      if (waitForLocks) {
        const failedToBegin = await begun;
        if (failedToBegin) throw failedToBegin;
      }
      const opened = begun;
      uow = new UnitOfWork(
        runner.manager,
        tenant,
        {
          source: this.source,
          actor: this.context.principal, // the event records who acted: the request's principal
          traceparent: this.context.traceparent,
          traceId: this.context.traceId,
        },
        (sql, params) => this.queryThenCommit(runner, opened, sql, params),
      );
      result = await work(uow);
      if (!uow.committed) await this.commit(runner, uow, begun);
      const failedToBegin = await begun;
      if (failedToBegin) throw failedToBegin;
    } catch (err) {
      // A unit whose opening failed fails with that error, not with what its first statement met then.
      const failedToBegin = await begun;
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw failedToBegin ?? err;
    } finally {
      await runner.release();
    }
    if (uow.events.length) this.eventBus.publish(new EventsCommitted(uow.events.map((e) => e.envelope)));
    return result;
  }

  /**
   * The unit's events and COMMIT in one round trip (outboxThenCommitSql); then TypeORM's bookkeeping as
   * commitTransaction() leaves it. Not held back for the opening: a unit that only emits sends its BEGIN,
   * settings, locks, outbox rows and COMMIT in one socket write. A failed opening aborts the transaction,
   * so the rows are refused and nothing commits; the unit then fails with the opening's error (run).
   */
  private async commit(runner: QueryRunner, uow: UnitOfWork, begun: Promise<Error | undefined>): Promise<void> {
    const events = uow.eventsToWrite;
    if (!events.length) {
      if (await begun) return; // run() throws the opening's error and rolls back
      return runner.commitTransaction();
    }
    await runner.query(outboxThenCommitSql(events)); // after a failed opening, refused: run() throws the opening's error
    markEnded(runner);
  }

  /**
   * UnitOfWork.queryThenCommit: the statement and COMMIT issued back to back, so the pipelining pool
   * sends them together (and with BEGIN, while begin() keeps the socket corked). A failed BEGIN or
   * statement aborts the transaction and the COMMIT then ends it as a rollback; the first error is thrown.
   */
  private async queryThenCommit(runner: QueryRunner, begun: Promise<Error | undefined>, sql: string | NamedSql, params: unknown[] | undefined): Promise<unknown> {
    const statement = runner.query(sql as string, params, true) as Promise<{ records: unknown }>;
    const commit = runner.query('COMMIT') as Promise<unknown>;
    const [answered, committed, failedToBegin] = await Promise.allSettled([statement, commit, begun]);
    if (committed.status === 'fulfilled') markEnded(runner); // else the connection broke: run() rolls back what it can and releases
    if (failedToBegin.status === 'fulfilled' && failedToBegin.value) throw failedToBegin.value;
    if (answered.status === 'rejected') throw answered.reason;
    if (committed.status === 'rejected') throw committed.reason;
    return answered.value.records;
  }

  /**
   * BEGIN, both settings and the unit's locks in one round trip (beginUnitSql); all end with the transaction,
   * so nothing survives on the pooled connection. The runner is then marked as in a transaction the
   * way TypeORM's startTransaction() marks it, so that a repository's save() or manager.transaction()
   * inside the work joins this transaction instead of opening (and committing) one of its own, and
   * commitTransaction() / rollbackTransaction() end it (tenant-transaction-runner.int-spec).
   *
   * It is not waited for (`pipelined`): on a pipelining pool (dataSourceOptions) the unit's first
   * statement follows it in the same socket write (the socket is corked until the work has queued
   * what it sends at once), so a short unit takes one round trip less and wakes its backend once
   * less. A unit with locks waits for it (run), as its work may rely on them before any query, unless
   * it says its work relies on them only through its statements (UnitOptions.pipelineLocks). That is safe
   * because the BEGIN is in the same simple query as the settings: if a setting or a lock fails, the
   * transaction is already open and aborted, so every statement after it fails too and none runs
   * outside it or with the wrong settings. Resolves with the error (never rejects), which the unit
   * then fails with.
   */
  private begin(runner: QueryRunner, searchPath: string, role: string | null, locks: UnitLock[] = [], pipelined = true): Promise<Error | undefined> {
    const sql = beginUnitSql(searchPath, role, locks);
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number; databaseConnection: PgConnection };
    state.isTransactionActive = true; // set before the query, as startTransaction() does: a failure is rolled back
    state.transactionDepth = 1;
    const client = state.databaseConnection;
    const socket = pipelined ? client.connection?.stream : undefined;
    socket?.cork();
    const begun = client.query(sql).then(
      () => undefined,
      (err: Error & { code?: string }) =>
        // 22023: the role does not exist (a tenant provisioned by an older build, not yet backfilled).
        role && err.code === '22023' ? new Error(`tenant role ${role} is missing; run npm run migrate`, { cause: err }) : err,
    );
    if (socket) setImmediate(() => socket.uncork());
    return begun;
  }
}

/** TypeORM's bookkeeping as commitTransaction() leaves it, after a COMMIT sent as a query of its own. */
function markEnded(runner: QueryRunner): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = false;
  state.transactionDepth = 0;
}
