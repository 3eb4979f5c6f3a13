import { databaseRolePattern, databaseRoleTag } from '@credence/database';
import { quoteRole, spareRoleName, tenantGroupRole, tenantRoleName } from './tenant-roles';

describe('tenant role names', () => {
  const schema = 't_01a214282d697345a41fe66e7b5812e0';

  it('derives the role from the schema and the database tag only, within the 63-byte identifier limit', () => {
    const tag = databaseRoleTag('credence');
    expect(tag).toMatch(/^[0-9a-f]{8}$/);
    const role = tenantRoleName(schema, tag);
    expect(role).toBe(`${schema}_${tag}`);
    expect(Buffer.byteLength(role)).toBeLessThanOrEqual(63);
    expect(quoteRole(role)).toBe(`"${role}"`);
    expect(tenantGroupRole(tag)).toBe(`credence_tenants_${tag}`);
  });

  it('gives two databases on one server different roles for the same tenant', () => {
    expect(tenantRoleName(schema, databaseRoleTag('credence_test_a'))).not.toBe(tenantRoleName(schema, databaseRoleTag('credence_test_b')));
  });

  it.each([
    ['public', 'abcdef01'],
    [schema, 'ABCDEF01'],
    [schema, 'abcdef0'],
    [schema, 'abcdef01"; drop role postgres; --'],
    ['t_01a214282d697345a41fe66e7b5812e0"', 'abcdef01'],
  ])('refuses schema %j with tag %j', (s, tag) => {
    expect(() => tenantRoleName(s, tag)).toThrow();
  });

  it.each(['postgres', 'credence_tenants_x', `${schema}_abcdef01"`, 'pg_read_all_data'])('refuses to quote %j', (role) => {
    expect(() => quoteRole(role)).toThrow();
  });

  it("matches exactly one database's roles when cleaning up", () => {
    const tag = databaseRoleTag('credence_test_a');
    const pattern = databaseRolePattern(tag);
    expect(pattern.test(tenantRoleName(schema, tag))).toBe(true);
    expect(pattern.test(tenantGroupRole(tag))).toBe(true);
    expect(pattern.test(spareRoleName(`spare_${'ab'.repeat(16)}`, tag))).toBe(true);
    expect(pattern.test(spareRoleName(`spare_${'ab'.repeat(16)}`, databaseRoleTag('credence_test_b')))).toBe(false);
    expect(pattern.test(tenantRoleName(schema, databaseRoleTag('credence_test_b')))).toBe(false);
    expect(pattern.test('postgres')).toBe(false);
  });
});
