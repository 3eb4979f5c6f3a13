import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventBus } from '@nestjs/cqrs';
import { outboxRowParams, OUTBOX_COLUMNS } from '@credence/outbox';
import { PlatformAdminModule } from '@credence/platform-admin';
import { EventsCommitted, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { toDomainError } from '@credence/http';
import { startTestApp, TestApp } from '@credence/testing';
import { recordSocketWrites } from '../support/socket-writes';

/**
 * A unit of work's opening (BEGIN, its settings and locks) is not waited for: the unit's first
 * statement goes out in the same socket write, a round trip less per unit.
 */
describe('unit of work opening', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp([PlatformAdminModule]);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Socket writes recorded so far (by the running socketWrites). */
  let writes: string[] = [];
  const socketWrites = (work: () => Promise<unknown>) => {
    writes = [];
    return recordSocketWrites(work, (sofar) => (writes = sofar));
  };

  it("writes the unit's first statement in the same socket write as its BEGIN and settings", async () => {
    const marker = `first_statement_${Date.now()}`;
    const writes = await socketWrites(() => t.app.get(TenantTransactionRunner).inPlatform((uow) => uow.query(`SELECT $1::text AS ${marker}`, ['x'])));
    const carrying = writes.filter((w) => w.includes(marker));
    expect(carrying).toHaveLength(1);
    expect(carrying[0]).toContain("BEGIN; SELECT set_config('search_path', 'platform', true)");
  });

  it('waits for a unit with locks to hold them before its work runs (the work may rely on them before any query)', async () => {
    const key = `test:opening-${Date.now()}`;
    let seenAtStart: string[] = [];
    await socketWrites(() =>
      t.app.get(TenantTransactionRunner).inPlatform(
        async () => {
          seenAtStart = [...writes];
        },
        { locks: [{ key }] },
      ),
    );
    expect(seenAtStart.filter((w) => w.includes(key))).toHaveLength(1);
  });

  describe('a unit whose work relies on its locks only through its statements (pipelineLocks, as actors are run)', () => {
    let holder: Client;
    beforeAll(async () => {
      holder = new Client({ connectionString: t.config.DATABASE_URL });
      await holder.connect();
    });
    afterAll(async () => {
      await holder?.end();
    });
    const hold = (key: string) => holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    const release = (key: string) => holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);

    it('sends BEGIN, its lock, its outbox rows and COMMIT in one socket write when it only emits', async () => {
      const key = `test:pipelined-${randomUUID()}`;
      let eventId = '';
      const writes = await socketWrites(() =>
        t.app.get(TenantTransactionRunner).inPlatform(
          async (uow) => {
            const tenantId = randomUUID();
            uow.emit('tenant.updated', `tenant:${tenantId}`, { tenant_id: tenantId, slug: 'emit-only', changed: ['display_name'] });
            eventId = uow.events[0].envelope.id;
          },
          { locks: [{ key }], pipelineLocks: true },
        ),
      );
      const carrying = writes.filter((w) => w.includes(key));
      expect(carrying).toHaveLength(1);
      expect(carrying[0]).toContain('pg_advisory_xact_lock');
      expect(carrying[0]).toContain(eventId);
      expect(carrying[0]).toMatch(/COMMIT/);
      expect(await outboxRows(eventId)).toEqual([{ n: 1 }]);
    });

    it('runs its first statement only once the lock is held', async () => {
      const key = `test:pipelined-${randomUUID()}`;
      await hold(key);
      let answered = false;
      const unit = t.app
        .get(TenantTransactionRunner)
        .inPlatform((uow) => uow.query<{ held: boolean }[]>('SELECT true AS held'), { locks: [{ key }], pipelineLocks: true })
        .then((rows) => {
          answered = true;
          return rows;
        });
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      await release(key);
      expect(await unit).toEqual([{ held: true }]);
    });

    it('fails with the opening error and writes nothing when the lock is not had in time', async () => {
      const slow = await startTestApp([PlatformAdminModule], { DB_QUERY_TIMEOUT_MS: '600' });
      const key = `test:pipelined-${randomUUID()}`;
      await hold(key);
      try {
        let eventId = '';
        const runner = slow.app.get(TenantTransactionRunner);
        const failure = await runner
          .inPlatform(
            async (uow) => {
              const tenantId = randomUUID();
              uow.emit('tenant.updated', `tenant:${tenantId}`, { tenant_id: tenantId, slug: 'never-locked', changed: ['display_name'] });
              eventId = uow.events[0].envelope.id;
            },
            { locks: [{ key }], pipelineLocks: true },
          )
          .catch((err: unknown) => err);
        expect(failure).toMatchObject({ code: '57014' }); // the lock wait cancelled by the unit's statement timeout, not "transaction aborted"
        expect(await outboxRows(eventId)).toEqual([{ n: 0 }]);
        const afterwards = await Promise.all([1, 2, 3].map(() => runner.inPlatform((uow) => uow.query<{ tx: boolean }[]>('SELECT now() = statement_timestamp() AS tx'))));
        expect(afterwards.flat()).toEqual(Array(3).fill({ tx: false }));
      } finally {
        await release(key);
        await slow.close();
      }
    });
  });

  it("bounds every statement on the server at 90 % of the pool's query timeout, set on the connection, not by the unit", async () => {
    const [{ statement_timeout }] = await t.app.get(TenantTransactionRunner).inPlatform((uow) => uow.query<{ statement_timeout: string }[]>('SHOW statement_timeout'));
    expect(statement_timeout).toBe(`${Math.floor(t.config.DB_QUERY_TIMEOUT_MS * 0.9)}ms`);
  });

  it('still answers each statement with its own result, in order, when the work sends several at once', async () => {
    const runner = t.app.get(TenantTransactionRunner);
    const got = await runner.inPlatform((uow) => Promise.all([1, 2, 3].map((n) => uow.query<{ n: number }[]>('SELECT $1::int AS n', [n]))));
    expect(got).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    await expect(runner.inPlatform((uow) => uow.query('SELECT 1/0'))).rejects.toMatchObject({ code: '22012' });
    expect(await runner.inPlatform((uow) => uow.query<{ ok: number }[]>('SELECT 1 AS ok'))).toEqual([{ ok: 1 }]);
  });

  const outboxRows = (eventId: string) =>
    t.app.get(TenantTransactionRunner).inPlatform((uow) => uow.query<{ n: number }[]>('SELECT count(*)::int AS n FROM platform.outbox WHERE event_id = $1', [eventId]));

  describe('a last statement with its COMMIT (queryThenCommit)', () => {
    /** A statement that writes the outbox row of an event of the unit, as the refresh rotation does. */
    const writeEvent = (uow: UnitOfWork, then = 'SELECT count(*)::int AS n FROM w') => {
      const tenantId = randomUUID();
      const event = uow.event('tenant.updated', `tenant:${tenantId}`, { tenant_id: tenantId, slug: 'queried-then-committed', changed: ['display_name'] });
      const sql = `WITH w AS (INSERT INTO platform.outbox (${OUTBOX_COLUMNS}) VALUES ($1::uuid, $2, $3, $4, $5::jsonb) RETURNING 1) ${then}`;
      return { event, run: () => uow.queryThenCommit<{ n: number }[]>(sql, outboxRowParams(event)) };
    };

    it('sends BEGIN, the statement and COMMIT in one socket write, and the runner adds no COMMIT of its own', async () => {
      let eventId = '';
      const published: string[] = [];
      const subscription = t.app.get(EventBus).subscribe((e) => e instanceof EventsCommitted && published.push(...e.events.map((x) => x.id)));
      const writes = await socketWrites(() =>
        t.app.get(TenantTransactionRunner).inPlatform(async (uow) => {
          const { event, run } = writeEvent(uow);
          eventId = event.envelope.id;
          expect(await run()).toEqual([{ n: 1 }]);
          uow.emitWritten(event);
        }),
      );
      subscription.unsubscribe();
      const carrying = writes.filter((w) => w.includes(eventId));
      expect(carrying).toHaveLength(1);
      expect(carrying[0]).toContain("BEGIN; SELECT set_config('search_path', 'platform', true)");
      expect(carrying[0]).toMatch(/COMMIT\0/); // the simple query right behind the statement, in the same write
      expect(writes.filter((w) => w.includes('COMMIT'))).toHaveLength(1);
      expect(await outboxRows(eventId)).toEqual([{ n: 1 }]); // committed, and written once
      expect(published).toContain(eventId); // published in-process after the commit like any event
    });

    it('throws the statement error, and leaves nothing written and the pooled connection usable', async () => {
      let eventId = '';
      const runner = t.app.get(TenantTransactionRunner);
      await expect(
        runner.inPlatform(async (uow) => {
          const { event, run } = writeEvent(uow, 'SELECT 1/0 AS n FROM w');
          eventId = event.envelope.id;
          await run();
        }),
      ).rejects.toMatchObject({ code: '22012' });
      expect(await outboxRows(eventId)).toEqual([{ n: 0 }]);
      const afterwards = await Promise.all([1, 2, 3, 4].map(() => runner.inPlatform((uow) => uow.query<{ tx: boolean }[]>('SELECT now() = statement_timestamp() AS tx'))));
      expect(afterwards.flat()).toEqual(Array(4).fill({ tx: false })); // each in a transaction of its own, none left open
    });

    it('refuses events emitted before it (they would be left unwritten) and any statement after it', async () => {
      const runner = t.app.get(TenantTransactionRunner);
      await expect(
        runner.inPlatform(async (uow) => {
          const tenantId = randomUUID();
          uow.emit('tenant.updated', `tenant:${tenantId}`, { tenant_id: tenantId, slug: 'emitted-first', changed: ['display_name'] });
          await uow.queryThenCommit('SELECT 1');
        }),
      ).rejects.toThrow(/emitted before queryThenCommit/);
      await expect(
        runner.inPlatform(async (uow) => {
          await uow.queryThenCommit('SELECT 1');
          await uow.query('SELECT 2');
        }),
      ).rejects.toThrow(/already committed/);
      await expect(
        runner.inPlatform(async (uow) => {
          await uow.queryThenCommit('SELECT 1');
          const tenantId = randomUUID();
          uow.emit('tenant.updated', `tenant:${tenantId}`, { tenant_id: tenantId, slug: 'emitted-after', changed: ['display_name'] });
        }),
      ).rejects.toThrow(/already committed/);
    });
  });

  describe('a statement Postgres is still running when the pool gives up on it', () => {
    let slow: TestApp;
    beforeAll(async () => {
      slow = await startTestApp([PlatformAdminModule], { DB_QUERY_TIMEOUT_MS: '1000' });
    });
    afterAll(async () => {
      await slow?.close();
    });

    it('is cancelled by Postgres first, so the COMMIT sent behind it commits nothing, and the caller gets 503', async () => {
      let eventId = '';
      const started = Date.now();
      const failure = await slow.app
        .get(TenantTransactionRunner)
        .inPlatform(async (uow) => {
          const tenantId = randomUUID();
          const event = uow.event('tenant.updated', `tenant:${tenantId}`, { tenant_id: tenantId, slug: 'too-slow', changed: ['display_name'] });
          eventId = event.envelope.id;
          // Writes its outbox row, then runs past the pool's 1 s query timeout.
          const sql = `WITH w AS (INSERT INTO platform.outbox (${OUTBOX_COLUMNS}) VALUES ($1::uuid, $2, $3, $4, $5::jsonb) RETURNING 1) SELECT pg_sleep(2) FROM w`;
          await uow.queryThenCommit(sql, outboxRowParams(event));
        })
        .catch((err: unknown) => err);
      expect(failure).toMatchObject({ code: '57014' }); // Postgres's cancel, at 90 % of the pool's timeout
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(toDomainError(failure)?.code).toBe('service.unavailable');
      // Past the sleep: a statement left running (the pool's timeout alone) would have committed by now.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await outboxRows(eventId)).toEqual([{ n: 0 }]);
    });
  });
});
