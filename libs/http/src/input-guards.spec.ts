import { jsonDepthExceeds, MAX_JSON_DEPTH, unsafeStringPath } from './input-guards';

const nested = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`;

describe('jsonDepthExceeds', () => {
  it('passes a body at the limit and refuses one a level deeper, for objects and arrays', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1, '[', ']'), MAX_JSON_DEPTH)).toBe(true);
  });

  it('counts only structure, not brackets inside strings or escaped quotes', () => {
    const text = JSON.stringify({ a: '{'.repeat(100), b: '"[[[[\\"{{{', c: [[{}]] });
    expect(jsonDepthExceeds(text, 4)).toBe(false); // { c: [ [ { } ] ] }
    expect(jsonDepthExceeds(text, 3)).toBe(true);
  });

  it('scans 10,000 levels without recursion', () => {
    expect(jsonDepthExceeds(nested(10_000), MAX_JSON_DEPTH)).toBe(true);
  });

  it('measures depth, not size', () => {
    expect(jsonDepthExceeds(JSON.stringify({ list: Array.from({ length: 10_000 }, (_, i) => ({ i })) }), 3)).toBe(false);
  });
});

describe('unsafeStringPath', () => {
  it('finds nothing in ordinary text, including astral characters (surrogate pairs)', () => {
    expect(unsafeStringPath({ q: 'Zoë', emoji: '👩‍💻', list: ['a', { b: 'c' }], n: 1, t: true, z: null })).toBeNull();
  });

  it.each([
    ['a NUL', { q: 'a\u0000b' }, 'q'],
    ['a lone high surrogate', { q: 'a\ud800' }, 'q'],
    ['a lone low surrogate', { q: '\udc00b' }, 'q'],
    ['reversed surrogates', { q: '\udc00\ud800' }, 'q'],
    ['a nested value', { attributes: { dept: ['ok', 'x\u0000'] } }, 'attributes.dept.1'],
    ['a key', { attributes: { 'k\u0000': 'v' } }, 'attributes.k\u0000'],
  ])('finds %s and names its path', (_, value, path) => {
    expect(unsafeStringPath(value)).toBe(path);
  });

  it('names no field when the value itself is the string', () => {
    expect(unsafeStringPath('\u0000')).toBe('');
  });
});
