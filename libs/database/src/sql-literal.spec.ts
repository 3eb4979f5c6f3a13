import { randomBytes } from 'node:crypto';
import { escapeLiteral } from 'pg';
import { sqlLiteral } from './sql-literal';

describe('sqlLiteral', () => {
  it("gives pg's escapeLiteral output for quotes, backslashes and everything else", () => {
    const samples = [
      '',
      'plain',
      "O'Brien",
      "''",
      '\\',
      '\\\\x',
      "a\\'b",
      "it's a \\ path\\",
      "E'\\x00'",
      '$$; DROP TABLE users; --',
      '{"note":"line\\nbreak \\"quoted\\" \\u0000 é ☃ 𝄞"}',
      JSON.stringify({ name: "O'Brien\\", emoji: '😀', nul: '\u0000', deep: [[["'"]]] }),
    ];
    for (const s of samples) expect(sqlLiteral(s)).toBe(escapeLiteral(s));
  });

  it('agrees with it on random strings drawn from quotes, backslashes and other characters', () => {
    const alphabet = ["'", '\\', 'a', ' ', '"', 'é', '\n', 'E', '𝄞'];
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(1 + (i % 40));
      const s = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
      expect(sqlLiteral(s)).toBe(escapeLiteral(s));
    }
  });
});
