import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { LdapSyncSource } from '@credence/federation';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ldapSource } from '../ldap-source';

export interface LdapSyncSchedule {
  enabled: boolean;
  interval_minutes: number;
  full_every_hours: number;
}

const invalid = (field: string, issue: string) => new DomainError('validation.failed', undefined, [{ field, issue }]);
const int = (v: unknown, field: string, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(field, `${field} must be an integer from ${min} to ${max}`);
  return v;
};

/** PUT .../connections/{id}/sync/schedule's body: `enabled` and, optionally, the two intervals. */
export function parseSchedule(body: unknown): Partial<LdapSyncSchedule> & { enabled: boolean } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('validation.failed', 'The body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => !['enabled', 'interval_minutes', 'full_every_hours'].includes(k));
  if (unknown !== undefined) throw invalid(unknown.slice(0, 64), 'unknown field');
  if (typeof b.enabled !== 'boolean') throw invalid('enabled', 'enabled must be a boolean');
  return {
    enabled: b.enabled,
    ...(b.interval_minutes !== undefined ? { interval_minutes: int(b.interval_minutes, 'interval_minutes', 5, 10080) } : {}),
    ...(b.full_every_hours !== undefined ? { full_every_hours: int(b.full_every_hours, 'full_every_hours', 1, 8760) } : {}),
  };
}

/** POST .../connections/{id}/sync's body: `mode` (default full) and `force`. */
export function parseStart(body: unknown): { mode: 'full' | 'incremental'; force: boolean } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) throw new DomainError('validation.failed', 'The body must be a JSON object.');
  const unknown = Object.keys(b).find((k) => !['mode', 'force'].includes(k));
  if (unknown !== undefined) throw invalid(unknown.slice(0, 64), 'unknown field');
  if (b.mode !== undefined && b.mode !== 'full' && b.mode !== 'incremental') throw invalid('mode', 'mode must be full or incremental');
  if (b.force !== undefined && typeof b.force !== 'boolean') throw invalid('force', 'force must be a boolean');
  return { mode: (b.mode as 'full' | 'incremental' | undefined) ?? 'full', force: b.force === true };
}

/** An LDAP connection's sync schedule and where its last runs left it (table ldap_sync). */
@Injectable()
export class LdapSyncSettings {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly source: LdapSyncSource,
  ) {}

  async get(connectionId: string) {
    const id = await this.ldapConnection(connectionId);
    const [row] = await this.runner.inTenant((uow) =>
      uow.query<Record<string, unknown>[]>(
        `SELECT enabled, interval_minutes, full_every_hours, high_water, last_run_at, last_full_at,
                (SELECT r.id FROM sync_runs r WHERE r.source = $2 ORDER BY r.id DESC LIMIT 1) AS last_sync_id
           FROM (SELECT $1::uuid AS connection_id) c LEFT JOIN ldap_sync s USING (connection_id)`,
        [id, ldapSource(id)],
      ),
    );
    return {
      connection_id: id,
      source: ldapSource(id),
      schedule: { enabled: row.enabled ?? false, interval_minutes: row.interval_minutes ?? 60, full_every_hours: row.full_every_hours ?? 24 },
      high_water: row.high_water ?? null,
      last_run_at: row.last_run_at ?? null,
      last_full_at: row.last_full_at ?? null,
      last_sync_id: row.last_sync_id ?? null,
    };
  }

  async put(connectionId: string, schedule: Partial<LdapSyncSchedule> & { enabled: boolean }) {
    const id = await this.ldapConnection(connectionId);
    await this.runner.inTenant((uow) =>
      uow.query(
        `INSERT INTO ldap_sync (connection_id, enabled, interval_minutes, full_every_hours) VALUES ($1, $2, coalesce($3, 60), coalesce($4, 24))
         ON CONFLICT (connection_id) DO UPDATE SET enabled = EXCLUDED.enabled, interval_minutes = coalesce($3, ldap_sync.interval_minutes),
           full_every_hours = coalesce($4, ldap_sync.full_every_hours), updated_at = now()`,
        [id, schedule.enabled, schedule.interval_minutes ?? null, schedule.full_every_hours ?? null],
      ),
    );
    return this.get(id);
  }

  private async ldapConnection(connectionId: string): Promise<string> {
    const connection = await this.source.find(connectionId);
    if (!connection) throw new DomainError('connection.not_found');
    if (connection.type !== 'ldap') throw new DomainError('sync.connection_not_ldap');
    return connection.id;
  }
}
