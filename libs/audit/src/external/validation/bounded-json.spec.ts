import { boundedJsonProblem } from './bounded-json';

const LIMITS = { maxDepth: 4, maxBytes: 4096, maxEntries: 50, maxKeyLength: 100 };

const nested = (levels: number): Record<string, unknown> => {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
};

describe('boundedJsonProblem', () => {
  it('accepts a small object with nested values up to the depth', () => {
    expect(boundedJsonProblem({ amount: 12.5, currency: 'EUR', ok: true, none: null, tags: ['a', 'b'], nested: { x: { y: 1 } } }, LIMITS)).toBeUndefined();
    expect(boundedJsonProblem(nested(4), LIMITS)).toBeUndefined();
    expect(boundedJsonProblem({}, LIMITS)).toBeUndefined();
  });

  it('refuses what is not an object', () => {
    for (const v of [null, [], 'x', 1, true, undefined]) expect(boundedJsonProblem(v, LIMITS)).toBe('must be a JSON object');
  });

  it('refuses nesting past the depth, without recursing (a 100,000-level value costs no stack)', () => {
    expect(boundedJsonProblem(nested(6), LIMITS)).toMatch(/nest deeper/);
    expect(boundedJsonProblem(nested(100_000), LIMITS)).toMatch(/nest deeper/);
    expect(boundedJsonProblem({ a: [[[[[1]]]]] }, LIMITS)).toMatch(/nest deeper/);
  });

  it('refuses NUL and unpaired surrogates in strings and keys', () => {
    expect(boundedJsonProblem({ a: 'x\u0000y' }, LIMITS)).toMatch(/NUL/);
    expect(boundedJsonProblem({ a: ['\ud800'] }, LIMITS)).toMatch(/surrogates/);
    expect(boundedJsonProblem({ 'k\u0000': 1 }, LIMITS)).toMatch(/NUL/);
    expect(boundedJsonProblem({ '\udc00': 1 }, LIMITS)).toMatch(/surrogates/);
    expect(boundedJsonProblem({ a: '😀 paired is fine' }, LIMITS)).toBeUndefined();
  });

  it('refuses too many entries, long keys and too many bytes', () => {
    expect(boundedJsonProblem(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])), LIMITS)).toMatch(/entries/);
    expect(boundedJsonProblem({ list: Array.from({ length: 51 }, () => 1) }, LIMITS)).toMatch(/entries/);
    expect(boundedJsonProblem({ ['k'.repeat(101)]: 1 }, LIMITS)).toMatch(/keys/);
    expect(boundedJsonProblem({ a: 'x'.repeat(5000) }, LIMITS)).toMatch(/4096 bytes/);
    expect(boundedJsonProblem({ a: 'é'.repeat(2100) }, LIMITS)).toMatch(/4096 bytes/); // 4200 bytes in UTF-8
  });

  it('refuses values JSON cannot carry', () => {
    expect(boundedJsonProblem({ a: Number.NaN }, LIMITS)).toMatch(/finite/);
    expect(boundedJsonProblem({ a: () => 1 }, LIMITS)).toMatch(/JSON values/);
    expect(boundedJsonProblem({ a: new Date() }, LIMITS)).toMatch(/JSON values/);
  });
});
