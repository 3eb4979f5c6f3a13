import { Socket } from 'node:net';
import { PlatformAdminModule } from '@credence/platform-admin';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp } from '@credence/testing';

type WriteOne = (chunk: Buffer | string, encoding: string, cb: () => void) => void;
type WriteMany = (chunks: { chunk: Buffer | string }[], cb: () => void) => void;

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

  /** The text of every socket write of this process while `work` runs. */
  /** Socket writes recorded so far (by the running socketWrites). */
  let writes: string[] = [];

  async function socketWrites(work: () => Promise<unknown>): Promise<string[]> {
    writes = [];
    const proto = Socket.prototype as unknown as { _write: WriteOne; _writev: WriteMany };
    const { _write, _writev } = proto;
    const text = (c: Buffer | string) => (typeof c === 'string' ? c : c.toString('latin1'));
    proto._write = function (chunk, encoding, cb) {
      writes.push(text(chunk));
      return _write.call(this, chunk, encoding, cb);
    };
    proto._writev = function (chunks, cb) {
      writes.push(chunks.map((c) => text(c.chunk)).join(''));
      return _writev.call(this, chunks, cb);
    };
    try {
      await work();
    } finally {
      Object.assign(proto, { _write, _writev });
    }
    return writes;
  }

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

  it('still answers each statement with its own result, in order, when the work sends several at once', async () => {
    const runner = t.app.get(TenantTransactionRunner);
    const got = await runner.inPlatform((uow) => Promise.all([1, 2, 3].map((n) => uow.query<{ n: number }[]>('SELECT $1::int AS n', [n]))));
    expect(got).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    await expect(runner.inPlatform((uow) => uow.query('SELECT 1/0'))).rejects.toMatchObject({ code: '22012' });
    expect(await runner.inPlatform((uow) => uow.query<{ ok: number }[]>('SELECT 1 AS ok'))).toEqual([{ ok: 1 }]);
  });
});
