import { isIPv6 } from 'node:net';

/**
 * What a per-address limit counts for a client address: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4), an IPv6 address as its /64, and `unknown` without one. One host commonly holds a
 * whole /64 and can take a fresh address from it for every request, which would make per-address limits
 * count nothing.
 */
export function addressBucket(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  if (!isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const [hi, lo] = [parseInt(groups[6], 16), parseInt(groups[7], 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of a valid IPv6 address, lower case without leading zeros ("::" expanded, a dotted IPv4 tail as two groups, a zone dropped). */
function ipv6Groups(ip: string): string[] {
  const split = (part: string): string[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [g];
          const [a, b, c, d] = g.split('.').map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const [left, right] = ip.split('%')[0].toLowerCase().split('::');
  const head = split(left);
  const tail = right === undefined ? [] : split(right);
  const zeros = right === undefined ? [] : Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].map((g) => g.replace(/^0+(?=.)/, ''));
}
