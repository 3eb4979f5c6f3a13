import { isIPv6 } from 'node:net';
import { embeddedIpv4, ipv6Groups } from '@credence/http';

/**
 * What a per-address limit counts for a client address: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4), an IPv6 address as its /64, and `unknown` without one. One host commonly holds a
 * whole /64 and can take a fresh address from it for every request, which would make per-address limits
 * count nothing.
 */
export function addressBucket(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  if (!isIPv6(ip)) return ip;
  return (
    embeddedIpv4(ip) ??
    `${ipv6Groups(ip)
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(':')}::/64`
  );
}
