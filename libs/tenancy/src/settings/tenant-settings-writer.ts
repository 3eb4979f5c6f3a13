import { Injectable } from '@nestjs/common';
import type { TenantSettings } from '../tenant-settings';
import type { UnitOfWork } from '../unit-of-work';
import { assertValidSettings } from './tenant-settings-rules';

/** Keys to change: a value sets the tenant's own, `null` removes it (back to the platform default). */
export type SettingsChanges = { [K in keyof TenantSettings]?: TenantSettings[K] | null };

export interface SettingsChange {
  /** Keys whose stored value changed: those set first, in the order given, then those removed. */
  changed: string[];
  /** The tenant's own settings after the change (no defaults filled in). */
  settings: TenantSettings;
}

/**
 * The one writer of tenant settings, for the platform admin's and the tenant admin's routes alike:
 * it locks the tenant's row, applies the changes to what is stored, checks the result
 * (assertValidSettings: limits and cross-key rules) and writes it, all in the caller's unit of
 * work. Callers run it inside the tenant's actor (`tenant/<slug>` on the platform), so a settings
 * change serialises with every other change to the tenant. Resolves to undefined when the tenant
 * does not exist; a refused change writes nothing.
 */
@Injectable()
export class TenantSettingsWriter {
  async change(uow: UnitOfWork, tenantId: string, changes: SettingsChanges, field?: (key: string) => string): Promise<SettingsChange | undefined> {
    const [row] = await uow.query<{ settings: TenantSettings | null }[]>('SELECT settings FROM platform.tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    if (!row) return undefined;
    const stored: Record<string, unknown> = { ...(row.settings ?? {}) };
    const next: Record<string, unknown> = { ...stored };
    const set: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) {
        if (Object.hasOwn(stored, key)) removed.push(key);
        delete next[key];
      } else {
        if (stored[key] !== value) set[key] = value;
        next[key] = value;
      }
    }
    const changed = [...Object.keys(set), ...removed];
    assertValidSettings(
      next as TenantSettings,
      Object.keys(changes).filter((k) => changes[k as keyof TenantSettings] !== undefined),
      field,
    );
    if (changed.length) {
      await uow.query(`UPDATE platform.tenants SET settings = (settings - $2::text[]) || $3::jsonb, updated_at = now() WHERE id = $1`, [tenantId, removed, JSON.stringify(set)]);
    }
    return { changed, settings: next as TenantSettings };
  }
}
