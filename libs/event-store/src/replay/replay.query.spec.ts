import { decodeSeq, encodeSeq } from './replay.query';

describe('replay cursors', () => {
  it('round-trips a seq and starts at the beginning without one', () => {
    expect(decodeSeq(encodeSeq('12345'))).toBe('12345');
    expect(decodeSeq(undefined)).toBe('0');
  });

  it.each(['', 'abc', Buffer.from('s-1').toString('base64url'), Buffer.from("s1' or 1=1").toString('base64url'), Buffer.from('s12345678901234567890').toString('base64url')])(
    'refuses a cursor it did not issue: %j',
    (cursor) => {
      if (cursor === '') return expect(decodeSeq(cursor)).toBe('0');
      expect(() => decodeSeq(cursor)).toThrow();
    },
  );
});
