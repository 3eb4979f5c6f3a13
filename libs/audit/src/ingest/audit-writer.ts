import { Injectable } from '@nestjs/common';
import { PLATFORM_TENANT_ID } from '@credence/contracts';
import { RequestContext, TenantRef } from '@credence/context';
import { TenantRegistry, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { AuditRecord, ChainedRecord } from '../trail/audit-record';
import { chain } from '../trail/chain';
import { PLATFORM_TRAIL, TENANT_TRAIL, TrailTables } from '../trail/trail-tables';
import { AuditMetrics } from '../audit-metrics';
import { SecurityDetection } from '../detection/security-detection';

const COLUMNS = [
  ['seq', 'bigint'],
  ['event_id', 'uuid'],
  ['type', 'text'],
  ['occurred_at', 'timestamptz'],
  ['source', 'text'],
  ['actor_type', 'text'],
  ['actor_id', 'text'],
  ['subject', 'text'],
  ['user_id', 'uuid'],
  ['outcome', 'text'],
  ['severity', 'text'],
  ['ip', 'text'],
  ['user_agent', 'text'],
  ['location', 'text'],
  ['identity', 'jsonb'],
  ['trace_id', 'text'],
  ['payload', 'jsonb'],
  ['personal_digest', 'bytea'],
  ['hash', 'bytea'],
] as const;

const insertInto = (table: string) => `INSERT INTO ${table} (${COLUMNS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})`;
const INSERT = { [TENANT_TRAIL.log]: insertInto(TENANT_TRAIL.log), [PLATFORM_TRAIL.log]: insertInto(PLATFORM_TRAIL.log) };

function column(rows: ChainedRecord[], name: (typeof COLUMNS)[number][0]): unknown[] {
  if (name === 'identity') return rows.map((r) => (r.identity ? JSON.stringify(r.identity) : null));
  if (name === 'payload') return rows.map((r) => JSON.stringify(r.payload));
  return rows.map((r) => r[name]);
}

/** The tenant's schema has no audit tables yet: its migrations are behind this build (`npm run migrate`). */
export class TrailNotReady extends Error {}

const UNDEFINED_TABLE = '42P01';

/**
 * Appends records to one trail in one transaction: locks the chain head, drops events already
 * stored (redelivery), blanks personal fields of erased users, chains and inserts the rest, moves
 * the head, and runs security detection on what was new.
 */
@Injectable()
export class AuditWriter {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly registry: TenantRegistry,
    private readonly detection: SecurityDetection,
    private readonly metrics: AuditMetrics,
  ) {}

  /** Resolves to how many records were new. Events of a tenant that no longer exists are dropped. */
  async write(trail: string, records: AuditRecord[]): Promise<number> {
    if (trail === PLATFORM_TENANT_ID) {
      return this.context.runWith({ principal: 'system:audit' }, () => this.runner.inPlatform((uow) => this.append(uow, records, null, PLATFORM_TRAIL)));
    }
    const tenant = await this.registry.byId(trail);
    if (!tenant) {
      this.metrics.ingested.inc({ result: 'dropped' }, records.length);
      return 0;
    }
    try {
      return await this.context.runWith({ tenant, principal: 'system:audit' }, () => this.runner.inTenant((uow) => this.append(uow, records, tenant, TENANT_TRAIL)));
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === UNDEFINED_TABLE)
        throw new TrailNotReady(`tenant ${tenant.slug} has no audit tables yet (migrations behind)`);
      throw err;
    }
  }

  private async append(uow: UnitOfWork, records: AuditRecord[], tenant: TenantRef | null, tables: TrailTables): Promise<number> {
    const [head] = await uow.query<{ last_seq: string; last_hash: Buffer }[]>(`SELECT last_seq, last_hash FROM ${tables.chain} FOR UPDATE`);
    const ids = records.map((r) => r.event_id);
    const stored = await uow.query<{ event_id: string }[]>(`SELECT event_id FROM ${tables.log} WHERE event_id = ANY($1::uuid[])`, [ids]);
    const seen = new Set(stored.map((s) => s.event_id));
    const fresh: AuditRecord[] = [];
    for (const r of records) {
      if (seen.has(r.event_id)) continue;
      seen.add(r.event_id);
      fresh.push(r);
    }
    this.metrics.ingested.inc({ result: 'duplicate' }, records.length - fresh.length);
    if (!fresh.length) return 0;
    if (tenant) await this.blankErased(uow, fresh);

    const rows = chain(fresh, Number(head.last_seq), head.last_hash);
    await uow.query(
      INSERT[tables.log],
      COLUMNS.map(([name]) => column(rows, name)),
    );
    const last = rows[rows.length - 1];
    await uow.query(`UPDATE ${tables.chain} SET last_seq = $1, last_hash = $2`, [last.seq, last.hash]);
    if (tenant) await this.detection.evaluate(uow, tenant, rows);
    this.metrics.ingested.inc({ result: 'stored' }, rows.length);
    return rows.length;
  }

  /**
   * Events about an erased user that happened before the erasure but reach the trail after it (they
   * were in flight) are stored without personal fields. What the user does afterwards is new data.
   */
  private async blankErased(uow: UnitOfWork, records: AuditRecord[]): Promise<void> {
    const users = [...new Set(records.map((r) => r.user_id).filter((u): u is string => !!u))];
    if (!users.length) return;
    const erased = await uow.query<{ user_id: string; erased_at: Date }[]>('SELECT user_id, erased_at FROM erased_users WHERE user_id = ANY($1::uuid[])', [users]);
    if (!erased.length) return;
    const since = new Map(erased.map((e) => [e.user_id, e.erased_at.getTime()]));
    for (const r of records) {
      const at = r.user_id ? since.get(r.user_id) : undefined;
      if (at !== undefined && new Date(r.occurred_at).getTime() <= at) Object.assign(r, { ip: null, user_agent: null, location: null, identity: null });
    }
  }
}
