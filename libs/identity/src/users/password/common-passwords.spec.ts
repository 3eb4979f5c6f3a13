import list from '../../../data/common-passwords.json';
import { isCommonPassword } from './common-passwords';

describe('common passwords', () => {
  it('ships the top 10,000 and the long ones, lower-cased and without duplicates', () => {
    const entries = list as string[];
    expect(entries.length).toBeGreaterThan(50_000);
    expect(new Set(entries).size).toBe(entries.length);
    expect(entries.every((p) => p === p.toLowerCase())).toBe(true);
    expect(entries.slice(0, 3)).toEqual(['123456', 'password', '12345678']);
  });

  it.each(['123456', 'password', 'qwertyuiop123', 'Password1234', '1QAZ2WSX3EDC'])('refuses %s', (p) => {
    expect(isCommonPassword(p)).toBe(true);
  });

  it.each(['a long enough password', 'correct horse battery staple', 'zq8-Lw2!v0rT'])('accepts %s', (p) => {
    expect(isCommonPassword(p)).toBe(false);
  });
});
