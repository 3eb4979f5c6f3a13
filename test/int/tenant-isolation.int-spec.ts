import { RequestContext, TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { User } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/**
 * The isolation suite: a unit of work for tenant A sees only A's rows, whichever way it asks,
 * and nothing of its search_path survives on the pooled connection afterwards.
 */
describe('tenant isolation', () => {
  let t: TestApp;
  let runner: TenantTransactionRunner;
  let context: RequestContext;
  let a: TenantRef;
  let b: TenantRef;

  const onboard = async (email: string): Promise<TenantRef> => {
    const slug = uniqueSlug('iso');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email, password: 'a long enough password' } });
    expect(res.status).toBe(201);
    const [row] = await t.dataSource.query('SELECT schema_name FROM platform.tenants WHERE id = $1', [res.body.id]);
    return { id: res.body.id, slug, schema: row.schema_name };
  };
  const asTenant = <T>(tenant: TenantRef, work: () => Promise<T>) => context.runWith({ tenant }, work);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    runner = t.app.get(TenantTransactionRunner);
    context = t.app.get(RequestContext);
    a = await onboard('alice@a.example');
    b = await onboard('bob@b.example');
  });
  afterAll(() => t.close());

  it('a repository sees only the ambient tenant', async () => {
    const emails = await asTenant(a, () => runner.inTenant((uow) => uow.manager.getRepository(User).find()));
    expect(emails.map((u) => u.email)).toEqual(['alice@a.example']);
    const other = await asTenant(b, () => runner.inTenant((uow) => uow.manager.getRepository(User).find()));
    expect(other.map((u) => u.email)).toEqual(['bob@b.example']);
  });

  it('a query builder sees only the ambient tenant', async () => {
    const rows = await asTenant(a, () =>
      runner.inTenant((uow) => uow.manager.createQueryBuilder(User, 'u').where('u.email LIKE :p', { p: '%@%' }).getMany()),
    );
    expect(rows.map((u) => u.email)).toEqual(['alice@a.example']);
  });

  it('a raw query sees only the ambient tenant', async () => {
    const rows = await asTenant(b, () => runner.inTenant((uow) => uow.query<{ email: string }[]>('SELECT email FROM users')));
    expect(rows).toEqual([{ email: 'bob@b.example' }]);
  });

  it('a write lands in the ambient tenant only', async () => {
    await asTenant(a, () =>
      runner.inTenant((uow) => uow.query(`INSERT INTO users (id, email, status) VALUES (gen_random_uuid(), 'carol@a.example', 'active')`)),
    );
    const inB = await asTenant(b, () => runner.inTenant((uow) => uow.query<unknown[]>(`SELECT 1 FROM users WHERE email = 'carol@a.example'`)));
    expect(inB).toHaveLength(0);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${a.schema}".users WHERE email = 'carol@a.example'`);
    expect(n).toBe(1);
  });

  it('fails closed when no tenant is in context', async () => {
    await expect(runner.inTenant((uow) => uow.query('SELECT 1'))).rejects.toMatchObject({ code: 'tenant.context_missing' });
    await expect(context.runWith({}, () => runner.inTenant((uow) => uow.query('SELECT 1')))).rejects.toBeInstanceOf(DomainError);
  });

  it('refuses a command for another tenant than the ambient one', async () => {
    await asTenant(a, async () => {
      expect(() => runner.assertAmbientTenant(b.id)).toThrow(DomainError);
      expect(runner.assertAmbientTenant(a.id)).toEqual(a);
    });
  });

  it('leaves no search_path behind on pooled connections, after commit or rollback', async () => {
    await asTenant(a, () => runner.inTenant((uow) => uow.query('SELECT 1')));
    await expect(asTenant(a, () => runner.inTenant(async (uow) => {
      await uow.query('SELECT 1');
      throw new Error('roll back');
    }))).rejects.toThrow('roll back');
    // Check out every pooled connection at once so the ones just used are among them.
    const pool = t.config.DB_POOL_MAX;
    const runners = await Promise.all(Array.from({ length: pool }, async () => {
      const r = t.dataSource.createQueryRunner();
      await r.connect();
      return r;
    }));
    try {
      for (const r of runners) {
        const [{ search_path }] = await r.query('SHOW search_path');
        expect(search_path).not.toContain('t_');
        const rows = await r.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = 'users' AND n.nspname = ANY (current_schemas(false))`);
        expect(rows[0].n).toBe(0);
      }
    } finally {
      await Promise.all(runners.map((r) => r.release()));
    }
  });

  it('puts every tenant table in the tenant schema, none in public or platform', async () => {
    const rows: { schema: string; table: string }[] = await t.dataSource.query(
      `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
        WHERE table_name IN ('users', 'roles', 'user_roles', 'user_invites', 'signing_keys', 'tenant_migrations')`,
    );
    expect(rows.filter((r) => !r.schema.startsWith('t_'))).toEqual([]);
    const inA = rows.filter((r) => r.schema === a.schema).map((r) => r.table).sort();
    expect(inA).toEqual(['roles', 'signing_keys', 'tenant_migrations', 'user_invites', 'user_roles', 'users']);
  });

  it('keeps tenant table names disjoint from platform table names, so search_path cannot fall through', async () => {
    const rows: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM information_schema.tables p JOIN information_schema.tables x ON x.table_name = p.table_name
        WHERE p.table_schema = 'platform' AND x.table_schema = $1`,
      [a.schema],
    );
    expect(rows[0].n).toBe(0);
  });

  it('serves a tenant route only from that tenant', async () => {
    const ka = await t.call('GET', `/v1/t/${a.slug}/.well-known/jwks.json`, undefined, { auth: false });
    const kb = await t.call('GET', `/v1/t/${b.slug}/.well-known/jwks.json`, undefined, { auth: false });
    expect(ka.status).toBe(200);
    expect(kb.status).toBe(200);
    const kidsA = ka.body.keys.map((k: { kid: string }) => k.kid);
    const kidsB = kb.body.keys.map((k: { kid: string }) => k.kid);
    expect(kidsA).toHaveLength(1);
    expect(kidsB).toHaveLength(1);
    expect(kidsA[0]).not.toEqual(kidsB[0]);
  });
});
