import { decodeSeq, encodeSeq } from './replay.query';

const A = '0196b8f1-7a4c-7d2e-9f00-123456789abc';
const B = '0196b8f1-7a4c-7d2e-9f00-cba987654321';

describe('replay cursors', () => {
  it('round-trips a seq for its tenant and starts at the beginning without one', () => {
    expect(decodeSeq(encodeSeq(A, '12345'), A)).toBe('12345');
    expect(decodeSeq(encodeSeq(A, '9223372036854775807'), A)).toBe('9223372036854775807');
    expect(decodeSeq(undefined, A)).toBe('0');
    expect(decodeSeq('', A)).toBe('0');
  });

  it('refuses a cursor issued for another tenant', () => {
    expect(() => decodeSeq(encodeSeq(A, '12345'), B)).toThrow(expect.objectContaining({ code: 'validation.failed' }));
  });

  it.each([
    'abc',
    // The unbound form used before cursors named their tenant.
    Buffer.from('s12345').toString('base64url'),
    Buffer.from("s1' or 1=1").toString('base64url'),
    // Right length, wrong version byte.
    Buffer.alloc(25).toString('base64url'),
    // Past bigint's range.
    Buffer.concat([Buffer.from([1]), Buffer.from(A.replace(/-/g, ''), 'hex'), Buffer.alloc(8, 0xff)]).toString('base64url'),
    // Trailing bytes after a valid cursor.
    `${encodeSeq(A, '1')}AA`,
  ])('refuses a cursor it did not issue: %j', (cursor) => {
    expect(() => decodeSeq(cursor, A)).toThrow(expect.objectContaining({ code: 'validation.failed' }));
  });
});
