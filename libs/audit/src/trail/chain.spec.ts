import { AuditRecord } from './audit-record';
import { chain, GENESIS_HASH, personalDigest, rowHash } from './chain';

const record = (n: number): AuditRecord => ({
  event_id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  type: 'user.updated',
  occurred_at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  source: 'credence/auth',
  actor_type: 'user',
  actor_id: 'u',
  subject: 'user/u',
  user_id: null,
  outcome: 'success',
  severity: 'info',
  trace_id: null,
  payload: { b: 1, a: { d: [1, 2], c: 'x' } },
  ip: '198.51.100.7',
  user_agent: null,
  location: null,
  identity: null,
});

describe('audit hash chain', () => {
  const rows = chain([record(1), record(2), record(3)], 0, GENESIS_HASH);

  it('numbers rows after the head and links each hash to the previous one', () => {
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[1].hash.equals(rowHash(rows[0].hash, 2, rows[1], rows[1].personal_digest))).toBe(true);
  });

  it('does not depend on key order in the payload (jsonb reorders keys)', () => {
    const reordered = { ...rows[0], payload: { a: { c: 'x', d: [1, 2] }, b: 1 } };
    expect(rowHash(GENESIS_HASH, 1, reordered, rows[0].personal_digest).equals(rows[0].hash)).toBe(true);
  });

  it('changes when any field, the position or the previous hash changes', () => {
    const base = rows[0];
    expect(rowHash(GENESIS_HASH, 1, { ...base, outcome: 'failure' }, base.personal_digest).equals(base.hash)).toBe(false);
    expect(rowHash(GENESIS_HASH, 2, base, base.personal_digest).equals(base.hash)).toBe(false);
    expect(rowHash(rows[1].hash, 1, base, base.personal_digest).equals(base.hash)).toBe(false);
    expect(personalDigest({ ...base, ip: '198.51.100.8' }).equals(base.personal_digest)).toBe(false);
  });
});
