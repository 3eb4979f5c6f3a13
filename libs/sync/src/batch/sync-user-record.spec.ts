import { checkBatch, checkRecord, contentHash, isRecordError, SyncUserRecord } from './sync-user-record';

const ok = { external_id: 'e1', username: 'ada', email: 'ada@x.example', status: 'active' };

describe('checkRecord', () => {
  it('normalises a good record', () => {
    expect(checkRecord({ ...ok, given_name: ' Ada ', groups: ['b', 'a', 'b'], updated_at: '2026-03-01T10:00:00+01:00' })).toEqual({
      ...ok,
      given_name: 'Ada',
      family_name: null,
      attributes: {},
      groups: ['a', 'b'],
      updated_at: '2026-03-01T09:00:00.000Z',
    });
  });

  it.each([
    [{ ...ok, external_id: '' }, 'external_id'],
    [{ ...ok, external_id: 'x'.repeat(257) }, 'external_id'],
    [{ ...ok, username: 'a@b' }, 'username'],
    [{ ...ok, email: 'nope' }, 'email'],
    [{ ...ok, status: 'gone' }, 'status'],
    [{ ...ok, given_name: 'x'.repeat(101) }, 'given_name'],
    [{ ...ok, attributes: { deep: { x: 1 } } }, 'attributes'],
    [{ ...ok, attributes: { given_name: 'x' } }, 'attributes'],
    [{ ...ok, groups: 'staff' }, 'groups'],
    [{ ...ok, updated_at: '2026-02-30T00:00:00Z' }, 'updated_at'],
    [{ ...ok, password: 'x' }, 'unknown field'],
  ])('refuses %j', (raw, word) => {
    const out = checkRecord(raw);
    expect(isRecordError(out) && out.message).toContain(word);
  });

  it('never echoes more than 256 characters of an external id', () => {
    const out = checkRecord({ ...ok, external_id: 'y'.repeat(100_000) });
    expect(isRecordError(out) && out.external_id?.length).toBe(256);
  });
});

describe('checkBatch', () => {
  it('refuses every record of a duplicated external id and counts refused ids as seen', () => {
    const out = checkBatch([ok, { ...ok, email: 'b@x.example' }, { ...ok, external_id: 'e2' }, { ...ok, external_id: 'e3', email: 'bad' }]);
    expect(out.records.map((r) => r.external_id)).toEqual(['e2']);
    expect(out.errors.map((e) => [e.external_id, e.code])).toEqual([
      ['e1', 'sync.duplicate_external_id'],
      ['e1', 'sync.duplicate_external_id'],
      ['e3', 'validation.failed'],
    ]);
    expect(out.seen.sort()).toEqual(['e1', 'e2', 'e3']);
  });
});

describe('contentHash', () => {
  it('is the same for the same content in any key order, and differs when a value does', () => {
    const a = checkRecord({ ...ok, attributes: { x: 1, y: 'z' } }) as SyncUserRecord;
    const b = checkRecord({ status: 'active', attributes: { y: 'z', x: 1 }, email: 'ada@x.example', username: 'ada', external_id: 'e1' }) as SyncUserRecord;
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash({ ...a, email: 'other@x.example' })).not.toBe(contentHash(a));
  });
});
