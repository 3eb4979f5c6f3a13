import { simpleLowerCase } from './simple-lower-case';

describe('simpleLowerCase', () => {
  it.each([
    ['İnci@x.example', 'inci@x.example'],
    ['INCI@X.EXAMPLE', 'inci@x.example'],
    ['ΟΔΥΣΣΕΥΣ@x.example', 'οδυσσευσ@x.example'],
    ['οδυσσευς@x.example', 'οδυσσευσ@x.example'],
    ['Ada@Example.com', 'ada@example.com'],
  ])('lower-cases %s as Postgres does: %s', (value, expected) => expect(simpleLowerCase(value)).toBe(expected));
});
