import { Client } from 'pg';
import { ActorSystem } from '@credence/actors';
import { PlatformAdminModule } from '@credence/platform-admin';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';

/** A unit's advisory locks (UnitOptions.locks) are held, in their modes, from before its work runs until it ends. */
describe('unit of work locks', () => {
  let t: TestApp;
  let other: Client;

  beforeAll(async () => {
    t = await startTestApp([PlatformAdminModule]);
    other = new Client({ connectionString: t.config.DATABASE_URL });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await t?.close();
  });

  /** Whether another session could take the lock now (taken and released at once inside its own transaction). */
  const free = async (key: string, mode: 'exclusive' | 'shared') => {
    await other.query('BEGIN');
    try {
      const fn = mode === 'shared' ? 'pg_try_advisory_xact_lock_shared' : 'pg_try_advisory_xact_lock';
      return (await other.query<{ ok: boolean }>(`SELECT ${fn}(hashtextextended($1, 0)) AS ok`, [key])).rows[0].ok;
    } finally {
      await other.query('ROLLBACK');
    }
  };

  it('holds each lock in its mode while the work runs, and releases them at commit', async () => {
    const exclusive = `test:${uniqueSlug('x')}`;
    const shared = `test:${uniqueSlug('s')}`;
    const quoted = `test:${uniqueSlug('q')}'s \\ key`;
    const during = await t.app.get(TenantTransactionRunner).inPlatform(
      async () => ({
        exclusive: await free(exclusive, 'shared'),
        sharedToShared: await free(shared, 'shared'),
        sharedToExclusive: await free(shared, 'exclusive'),
        quoted: await free(quoted, 'exclusive'),
      }),
      { locks: [{ key: exclusive }, { key: shared, mode: 'shared' }, { key: quoted, mode: 'exclusive' }] },
    );
    expect(during).toEqual({ exclusive: false, sharedToShared: true, sharedToExclusive: false, quoted: false });
    expect([await free(exclusive, 'exclusive'), await free(shared, 'exclusive'), await free(quoted, 'exclusive')]).toEqual([true, true, true]);
  });

  it('takes the locks in the order given, each only once the one before it is held', async () => {
    // The locks are calls in one statement's target list: while the first waits, the second must not be held yet.
    const first = `test:${uniqueSlug('first')}`;
    const second = `test:${uniqueSlug('second')}`;
    const holder = new Client({ connectionString: t.config.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [first]);
      let ran = false;
      const unit = t.app.get(TenantTransactionRunner).inPlatform(
        async () => {
          ran = true;
          return { second: await free(second, 'exclusive') };
        },
        { locks: [{ key: first }, { key: second }] },
      );
      await new Promise((r) => setTimeout(r, 300));
      expect({ ran, second: await free(second, 'exclusive') }).toEqual({ ran: false, second: true });
      await holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [first]);
      expect(await unit).toEqual({ second: false });
    } finally {
      await holder.end();
    }
  });

  it("serialises one actor's messages across processes, its lock sent with the handler's first statement", async () => {
    // Two apps: two mailboxes and two pools, as two processes have. Only the advisory lock orders them.
    const second = await startTestApp([PlatformAdminModule]);
    const table = `platform.actor_counter_${uniqueSlug('c').replace(/[^a-z0-9_]/g, '_')}`;
    await other.query(`CREATE TABLE ${table} (n int NOT NULL)`);
    await other.query(`INSERT INTO ${table} VALUES (0)`);
    try {
      const ref = { kind: 'test-counter', tenantId: 'platform', id: table };
      // A read, a pause, then a write of what was read: any overlap of two handlers loses an increment.
      const increment = (app: TestApp) =>
        app.app.get(ActorSystem).send(
          ref,
          async (uow) => {
            const [{ n }] = await uow.query<{ n: number }[]>(`SELECT n FROM ${table}`);
            await new Promise((r) => setTimeout(r, 2));
            await uow.query(`UPDATE ${table} SET n = $1`, [n + 1]);
          },
          { platform: true },
        );
      await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 ? t : second)));
      expect((await other.query<{ n: number }>(`SELECT n FROM ${table}`)).rows[0].n).toBe(40);
    } finally {
      await other.query(`DROP TABLE ${table}`);
      await second.close();
    }
  });
});
