import type { AppliedValues } from '../../batch/sync-user-record';
import { defaultSettings, SourceSettings } from '../../sources/source-settings';
import { mergeFields } from './field-merge';

const base: AppliedValues = { email: 'a@x.example', username: 'a', display_name: 'A', status: 'active', attributes: { department: 'sales' } };
const settings = (over: Partial<SourceSettings> = {}): SourceSettings => ({ ...defaultSettings('hr'), ...over });
const T = 1_700_000_000_000;

describe('mergeFields', () => {
  it('applies what only the source changed and keeps what only Credence changed', () => {
    const out = mergeFields(
      { incoming: { ...base, display_name: 'New' }, last: base, current: { ...base, email: 'admin@x.example' }, sourceUpdatedAt: null, credenceUpdatedAt: T },
      settings({ conflict_strategy: 'manual' }),
    );
    expect(out).toEqual({ apply: ['display_name'], conflicts: [], remembered: { ...base, display_name: 'New' } });
  });

  it('skips fields already equal on both sides, even when both changed', () => {
    const same = { ...base, email: 'b@x.example' };
    expect(mergeFields({ incoming: same, last: base, current: same, sourceUpdatedAt: null, credenceUpdatedAt: T }, settings({ conflict_strategy: 'manual' })).apply).toEqual([]);
  });

  const both = (strategy: SourceSettings['conflict_strategy'], sourceUpdatedAt: number | null) =>
    mergeFields(
      { incoming: { ...base, email: 'src@x.example' }, last: base, current: { ...base, email: 'cred@x.example' }, sourceUpdatedAt, credenceUpdatedAt: T },
      settings({ conflict_strategy: strategy, timestamp_tolerance_ms: 5000 }),
    );

  it('settles a field changed on both sides by the strategy', () => {
    expect(both('source_wins', null)).toMatchObject({ apply: ['email'], conflicts: [] });
    expect(both('manual', T + 60_000)).toMatchObject({ apply: [], conflicts: ['email'], remembered: base });
    expect(both('timestamp', T + 5001)).toMatchObject({ apply: ['email'], conflicts: [] });
    expect(both('timestamp', T - 5001)).toMatchObject({ apply: [], conflicts: [], remembered: { ...base, email: 'src@x.example' } });
    expect(both('timestamp', T + 5000)).toMatchObject({ apply: [], conflicts: ['email'] });
    expect(both('timestamp', T - 4000)).toMatchObject({ apply: [], conflicts: ['email'] });
    expect(both('timestamp', null)).toMatchObject({ apply: [], conflicts: ['email'] });
  });

  it('compares attributes as a whole, regardless of key order', () => {
    const out = mergeFields(
      {
        incoming: { ...base, attributes: { b: 1, a: 2 } },
        last: { ...base, attributes: { a: 2, b: 1 } },
        current: { ...base, attributes: { a: 2, b: 1 } },
        sourceUpdatedAt: null,
        credenceUpdatedAt: T,
      },
      settings(),
    );
    expect(out.apply).toEqual([]);
  });
});
