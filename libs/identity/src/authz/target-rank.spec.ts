import { Grant, grantFrom } from './access-decision';
import { rankOf, refusalToActOn, Standing, Tier } from './target-rank';

const grants = (permissions: string[]): Grant[] => permissions.map((p) => grantFrom(p, 'r')).filter((g): g is Grant => !!g);

const TIERS: Tier[] = [
  [10, ['profile.read:self']],
  [20, ['profile.update:self', 'session.read:self']],
  [30, ['user.read:department']],
  [40, ['user.read:any', 'audit.read:any']],
  [50, ['user.update:any', 'user.reset_password:any', 'role.manage:any']],
].reduce<Tier[]>((acc, [rank, own]) => [...acc, { rank: rank as number, permissions: new Set([...(acc.at(-1)?.permissions ?? []), ...(own as string[])]) }], []);

const tierPermissions = (rank: number) => [...TIERS.find((t) => t.rank === rank)!.permissions];

function standing(id: string, heldTier: number, extra: string[] = [], attributes: Record<string, unknown> = {}): Standing {
  const all = grants([...(heldTier ? tierPermissions(heldTier) : []), ...extra]);
  return { userId: id, rank: rankOf(all, heldTier, TIERS), holdsTopTier: heldTier === 50, attributes, grants: all };
}

describe('rankOf', () => {
  it('ranks a tier holder at their tier, and a custom role with the weakest tier that could do all it does', () => {
    expect(rankOf(grants(tierPermissions(30)), 30, TIERS)).toBe(30);
    expect(rankOf(grants(['user.update:department']), 0, TIERS)).toBe(50);
    expect(rankOf(grants(['user.read:department']), 20, TIERS)).toBe(30);
  });

  it('leaves out :self and application permissions, and puts a permission no tier holds above every tier', () => {
    expect(rankOf(grants(['user.update:self', 'report.view:any']), 0, TIERS)).toBe(0);
    expect(rankOf(grants(['profile.update:any']), 0, TIERS)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('refusalToActOn', () => {
  const it_ = { department: 'it' };

  it('refuses a target of equal or higher rank, except between holders of the top tier', () => {
    const desk = standing('desk', 20, ['user.update:department'], it_);
    expect(refusalToActOn(desk, standing('admin', 50, [], it_))?.reason).toBe('target_outranks');
    expect(refusalToActOn(desk, standing('peer', 20, ['user.update:department'], it_))?.reason).toBe('target_outranks');
    expect(refusalToActOn(standing('a', 50), standing('b', 50))).toBeUndefined();
    expect(refusalToActOn(standing('a', 50), standing('b', 50, ['profile.update:any']))?.reason).toBe('target_outranks');
  });

  it('refuses a target holding a permission over others that the caller lacks', () => {
    const desk = standing('desk', 20, ['user.update:department'], it_);
    expect(refusalToActOn(desk, standing('dir', 40, [], it_))).toMatchObject({ reason: 'target_holds_more', detail: expect.stringContaining('user.read:any') });
    expect(refusalToActOn(desk, standing('emp', 20, [], it_))).toBeUndefined();
    expect(refusalToActOn(desk, standing('app', 20, ['report.view:any'], it_))?.reason).toBe('target_holds_more');
  });

  it('counts a :department permission as held only for the same department, and application permissions as held by role managers', () => {
    const caller = standing('c', 20, ['user.update:any', 'user.read:department'], it_);
    expect(refusalToActOn(caller, standing('t', 20, ['user.read:department'], { department: 'sales' }))?.reason).toBe('target_holds_more');
    expect(refusalToActOn(caller, standing('t', 20, ['user.read:department'], it_))).toBeUndefined();
    expect(refusalToActOn(standing('admin', 50), standing('app', 20, ['report.view:any']))).toBeUndefined();
  });
});
