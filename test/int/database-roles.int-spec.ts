import { Client } from 'pg';
import { databaseRoleTag, dropDatabase, ensureDatabase } from '@credence/database';

/**
 * Roles are cluster-wide and every test run has its own database: dropping a database drops the
 * roles Credence made for it, and only those, so runs neither pile roles up nor take each other's.
 */
describe('roles of a database', () => {
  const base = process.env.CREDENCE_TEST_DATABASE_URL!;
  const urlOf = (suffix: string) => {
    const u = new URL(base);
    u.pathname = `${u.pathname}_${suffix}`; // <run db>_*: the global teardown drops these even after a crash
    return u.toString();
  };
  const nameOf = (url: string) => new URL(url).pathname.slice(1);
  const schema = 't_01a214282d697345a41fe66e7b5812e0';
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: base });
    await admin.connect();
  });
  afterAll(() => admin.end());

  const roleExists = async (role: string) => (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;

  it('drops the dropped database’s tenant roles and group, and leaves another database’s roles for the same tenant', async () => {
    const [one, two] = [urlOf('roles_one'), urlOf('roles_two')];
    await ensureDatabase(one);
    await ensureDatabase(two);
    const [tagOne, tagTwo] = [databaseRoleTag(nameOf(one)), databaseRoleTag(nameOf(two))];
    const roles = [`${schema}_${tagOne}`, `credence_tenants_${tagOne}`, `${schema}_${tagTwo}`, `credence_tenants_${tagTwo}`];
    for (const role of roles) await admin.query(`CREATE ROLE "${role}" NOLOGIN`);
    await admin.query(`GRANT "credence_tenants_${tagOne}" TO "${schema}_${tagOne}"`);
    try {
      await dropDatabase(one);
      expect(await roleExists(roles[0])).toBe(false);
      expect(await roleExists(roles[1])).toBe(false);
      expect(await roleExists(roles[2])).toBe(true);
      expect(await roleExists(roles[3])).toBe(true);
      await dropDatabase(two);
      expect(await roleExists(roles[2])).toBe(false);
      expect(await roleExists(roles[3])).toBe(false);
    } finally {
      for (const role of roles) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    }
  });
});
