import { beginUnitSql } from './begin-unit';
import { tenantSearchPath } from './schema-name';
import { tenantRoleName } from './roles/tenant-roles';

describe('beginUnitSql', () => {
  const schema = 't_01a214282d697345a41fe66e7b5812e0';
  const role = tenantRoleName(schema, 'abcdef01');

  it("opens a tenant's unit with its search path and role in one query", () => {
    expect(beginUnitSql(tenantSearchPath(schema), role)).toBe(`BEGIN; SELECT set_config('search_path', '"${schema}",platform', true), set_config('role', '${role}', true)`);
  });

  it('opens a platform unit, or a tenant unit as the owner, without a role', () => {
    expect(beginUnitSql('platform', null)).toBe(`BEGIN; SELECT set_config('search_path', 'platform', true)`);
    expect(beginUnitSql('platform_webhooks,platform', null)).toBe(`BEGIN; SELECT set_config('search_path', 'platform_webhooks,platform', true)`);
    expect(beginUnitSql(tenantSearchPath(schema), null)).toBe(`BEGIN; SELECT set_config('search_path', '"${schema}",platform', true)`);
  });

  it("takes the unit's advisory locks in the settings' statement, in order, after the settings, keys as escaped literals", () => {
    expect(beginUnitSql('platform', null, [{ key: 'actor:user/1' }, { key: "schema's", mode: 'shared' }, { key: 'back\\slash', mode: 'exclusive' }])).toBe(
      `BEGIN; SELECT set_config('search_path', 'platform', true)` +
        `, pg_advisory_xact_lock(hashtextextended('actor:user/1', 0))` +
        `, pg_advisory_xact_lock_shared(hashtextextended('schema''s', 0))` +
        `, pg_advisory_xact_lock(hashtextextended( E'back\\\\slash', 0))`,
    );
    expect(beginUnitSql(tenantSearchPath(schema), role, [{ key: 'k' }])).toBe(
      `BEGIN; SELECT set_config('search_path', '"${schema}",platform', true), set_config('role', '${role}', true), pg_advisory_xact_lock(hashtextextended('k', 0))`,
    );
  });

  it.each([
    `"${schema}"`,
    `${schema},platform`,
    'platform_other,platform',
    'platform,platform_webhooks',
    `"${schema}",platform'; drop schema platform cascade; --`,
    `"${schema}",platform\\`,
    'public',
    '"t_01A214282D697345A41FE66E7B5812E0",platform',
  ])('refuses the search path %j', (path) => {
    expect(() => beginUnitSql(path, role)).toThrow(/refusing search_path/);
  });

  it.each(['postgres', 'credence_tenants_abcdef01', `${role}'`, `${role}', true); drop role postgres; --`, schema])('refuses the role %j', (r) => {
    expect(() => beginUnitSql(tenantSearchPath(schema), r)).toThrow(/refusing role/);
  });
});
