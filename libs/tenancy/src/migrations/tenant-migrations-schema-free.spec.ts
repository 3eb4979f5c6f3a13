import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tenantMigrations } from '@migrations/tenant';

const DIR = join(__dirname, '..', '..', '..', '..', 'migrations', 'tenant');

/** Tenant migrations run once per tenant schema through search_path; a schema name in them would break that. */
describe('tenant migrations', () => {
  const files = readdirSync(DIR).filter((f) => /^\d+-.*\.ts$/.test(f));

  it.each(files)('%s names no schema', (file) => {
    const sql = readFileSync(join(DIR, file), 'utf8');
    expect(sql).not.toMatch(/\b(platform|public|pg_catalog|information_schema)\s*\./i);
    expect(sql).not.toMatch(/"?t_[0-9a-f]{32}"?\s*\./);
    expect(sql).not.toMatch(/\b(SET\s+search_path|set_config\s*\(\s*'search_path')/i);
  });

  it('lists every migration file, in order, with unique names', () => {
    const names = tenantMigrations.migrations.map((m) => new m().name);
    expect(names).toHaveLength(files.length);
    expect(new Set(names).size).toBe(names.length);
    const stamps = names.map((n) => Number(/(\d{13})$/.exec(n!)?.[1]));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });
});
