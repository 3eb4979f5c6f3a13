import { addressBucket } from './address-bucket';

describe('addressBucket', () => {
  it('keeps an IPv4 address, and turns an IPv4-mapped IPv6 address into it', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('counts every address of one IPv6 /64 as one, however it is written', () => {
    const one = addressBucket('2001:db8:1:2::1');
    expect(one).toBe('2001:db8:1:2::/64');
    for (const other of ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:0DB8:0001:0002:0:0:0:ffff', '2001:db8:1:2::1%eth0', '2001:db8:1:2:0:0:1.2.3.4']) {
      expect(addressBucket(other)).toBe(one);
    }
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(one);
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('says unknown without an address, and leaves what is not an IP address alone', () => {
    expect(addressBucket(undefined)).toBe('unknown');
    expect(addressBucket(null)).toBe('unknown');
    expect(addressBucket('')).toBe('unknown');
    expect(addressBucket('not-an-ip')).toBe('not-an-ip');
  });
});
