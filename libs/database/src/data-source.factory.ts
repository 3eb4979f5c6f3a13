import { DataSource, DataSourceOptions, EntitySchema } from 'typeorm';
import { TimeoutDroppingClient } from './timeout-dropping-client';

export interface PoolSettings {
  url: string;
  max: number;
  maxUses: number;
  idleTimeoutMs: number;
  /** Waiting for a pooled connection, or for a new one to be established (default 10 s). */
  connectTimeoutMs?: number;
  /** Waiting for a query's answer; 0 or unset waits for ever. */
  queryTimeoutMs?: number;
  applicationName?: string;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityTarget = Function | EntitySchema;

/**
 * The one pool of a process. No `schema` option: every tenant unit of work sets search_path
 * itself, and a schema here would be written into SQL and defeat that (shared/STACK.md).
 * Connections are recycled because each keeps catalog caches for every schema it touched.
 */
export function dataSourceOptions(pool: PoolSettings, entities: EntityTarget[]): DataSourceOptions {
  return {
    type: 'postgres',
    url: pool.url,
    entities,
    synchronize: false,
    migrationsRun: false,
    applicationName: pool.applicationName ?? 'credence',
    // A request that cannot get a connection, or whose query gets no answer, in time fails (503)
    // instead of hanging; a connection whose query timed out is dropped, never lent again.
    extra: {
      max: pool.max,
      maxUses: pool.maxUses || undefined,
      idleTimeoutMillis: pool.idleTimeoutMs,
      connectionTimeoutMillis: pool.connectTimeoutMs ?? 10_000,
      // A query is written as soon as it is issued, not after the previous one's answer: a unit of
      // work's BEGIN and its first statement go out together (TenantTransactionRunner.begin).
      // Queries of one connection are still answered in order; nothing here keeps a portal open.
      pipeline: true,
      // Postgres gives up on a statement (a lock wait included) before the pool does: else a statement
      // the app has given up on, answering 503, could still finish later, and a COMMIT sent behind it
      // (queryThenCommit) would then commit what the caller was told had failed.
      ...(pool.queryTimeoutMs ? { query_timeout: pool.queryTimeoutMs, statement_timeout: statementTimeoutFor(pool.queryTimeoutMs), Client: TimeoutDroppingClient } : {}),
    },
  };
}

/** 90 % of the pool's query timeout: time for Postgres's cancel to come back first. */
function statementTimeoutFor(queryTimeoutMs: number): number {
  return Math.max(1, Math.floor(queryTimeoutMs * 0.9));
}

export async function createDataSource(pool: PoolSettings, entities: EntityTarget[]): Promise<DataSource> {
  return new DataSource(dataSourceOptions(pool, entities)).initialize();
}
