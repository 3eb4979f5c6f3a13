import { actorFilter, filterConditions, SqlParams } from './audit-filter-sql';

describe('audit filter SQL', () => {
  it('reads user:<id> and the other actor forms as type and id, anything else as an id', () => {
    expect(actorFilter('user:0190f7a2-0000-7000-8000-000000000001')).toEqual({ type: 'user', id: '0190f7a2-0000-7000-8000-000000000001' });
    expect(actorFilter('platform-admin:key1')).toEqual({ type: 'platform_admin', id: 'key1' });
    expect(actorFilter('system:retention')).toEqual({ type: 'system', id: 'retention' });
    expect(actorFilter('0190f7a2')).toEqual({ id: '0190f7a2' });
    expect(actorFilter('user:')).toEqual({ id: 'user:' });
    expect(actorFilter('robot:x')).toEqual({ id: 'robot:x' });
  });

  it('binds every value as a parameter', () => {
    const p = new SqlParams();
    const where = filterConditions({ from: '2026-01-01T00:00:00Z', type: "x'; DROP TABLE audit_log; --", userId: 'u', ip: '10.0.0.1', outcome: 'failure' }, p);
    expect(where.join(' ')).not.toContain('DROP');
    expect(p.values).toEqual(['2026-01-01T00:00:00Z', "x'; DROP TABLE audit_log; --", 'u', 'failure', '10.0.0.1']);
  });

  it('matches nothing when a prefix covers no stored type', () => {
    expect(filterConditions({ types: [] }, new SqlParams())).toEqual(['false']);
  });
});
