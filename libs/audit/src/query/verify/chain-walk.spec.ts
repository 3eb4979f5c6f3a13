import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../trail/audit-record';
import { chain } from '../../trail/chain';
import { ChainRow, ChainWalk } from './chain-walk';

const record = (i: number): AuditRecord => ({
  event_id: randomUUID(),
  type: 'auth.login.succeeded',
  occurred_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  source: 'credence/auth',
  actor_type: 'user',
  actor_id: 'u1',
  subject: 'user/u1',
  user_id: null,
  outcome: 'success',
  severity: 'info',
  trace_id: null,
  payload: { n: i, nested: { b: 1, a: 2 } },
  ip: `10.0.0.${i}`,
  user_agent: 'ua',
  location: 'DE',
  identity: { email: 'a@x.example' },
});

/** Rows as Postgres gives them back: seq as text, occurred_at as a Date, no erasure. */
function stored(n: number): ChainRow[] {
  return chain(
    Array.from({ length: n }, (_, i) => record(i)),
    0,
    Buffer.alloc(32),
  ).map((r) => ({
    ...r,
    seq: String(r.seq),
    occurred_at: new Date(r.occurred_at),
    erased_at: null,
  }));
}

describe('chain walk', () => {
  it('verifies an intact chain batch by batch and matches the head', () => {
    const rows = stored(10);
    const walk = new ChainWalk(null);
    expect(walk.check(rows.slice(0, 4))).toBeNull();
    expect(walk.check(rows.slice(4))).toBeNull();
    expect(walk.finish({ last_seq: 10, last_hash: rows[9].hash })).toBeNull();
    expect([walk.rowsChecked, walk.firstSeq, walk.lastSeq]).toEqual([10, 1, 10]);
  });

  it('finds a changed payload at its seq', () => {
    const rows = stored(5);
    rows[2].payload = { n: 99 };
    expect(new ChainWalk(null).check(rows)).toMatchObject({ seq: 3, reason: 'hash_mismatch', event_id: rows[2].event_id });
  });

  it('finds a changed ip unless the row was erased', () => {
    const rows = stored(5);
    rows[1].ip = '192.0.2.1';
    expect(new ChainWalk(null).check(rows)).toMatchObject({ seq: 2, reason: 'personal_fields_changed' });
    Object.assign(rows[1], { ip: null, user_agent: null, location: null, identity: null, erased_at: new Date() });
    expect(new ChainWalk(null).check(rows)).toBeNull();
  });

  it('finds a missing middle row and rows cut from the end', () => {
    const rows = stored(6);
    expect(new ChainWalk(null).check([...rows.slice(0, 2), ...rows.slice(3)])).toMatchObject({ seq: 3, reason: 'missing_row', event_id: null });
    const walk = new ChainWalk(null);
    expect(walk.check(rows.slice(0, 4))).toBeNull();
    expect(walk.finish({ last_seq: 6, last_hash: rows[5].hash })).toMatchObject({ seq: 5, reason: 'head_mismatch' });
  });

  it('starts from a checkpoint', () => {
    const rows = stored(6);
    const walk = new ChainWalk({ seq: 3, hash: rows[2].hash });
    expect(walk.check(rows.slice(3))).toBeNull();
    expect(walk.finish({ last_seq: 6, last_hash: rows[5].hash })).toBeNull();
    expect(new ChainWalk({ seq: 2, hash: rows[1].hash }).check(rows.slice(3))).toMatchObject({ seq: 3, reason: 'missing_row' });
  });
});
