import { BlockList, isIP } from 'node:net';

/** What an IP address is, as far as the SSRF guard cares. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link_local' | 'unspecified' | 'multicast' | 'reserved';

const ranges: [AddressKind, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'], // "this network": 0.0.0.0 reaches the local host on Linux
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['private', '198.18.0.0', 15, 'ipv4'], // benchmarking, often internal
  ['private', '192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['link_local', '169.254.0.0', 16, 'ipv4'], // cloud metadata services live here
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'], // and 255.255.255.255
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'], // unique local
  ['link_local', 'fe80::', 10, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'], // deprecated site-local
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '64:ff9b::', 96, 'ipv6'], // NAT64 embeds an IPv4 address we would not see
  ['reserved', '64:ff9b:1::', 48, 'ipv6'],
  ['reserved', '2002::', 16, 'ipv6'], // 6to4 embeds one too
  ['reserved', '2001::', 32, 'ipv6'], // Teredo
  ['reserved', '100::', 64, 'ipv6'], // discard-only
];

const lists = new Map<AddressKind, BlockList>();
for (const [kind, network, prefix, family] of ranges) {
  const list = lists.get(kind) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  lists.set(kind, list);
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part becomes two groups, a zone is dropped). */
export function ipv6Groups(address: string): number[] {
  const ipv6 = address.split('%')[0];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ipv6);
  let text = ipv6;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${ipv6.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16));
}

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address carries, if it is one. */
export function embeddedIpv4(ipv6: string): string | undefined {
  const g = ipv6Groups(ipv6);
  if (g.length !== 8 || g.slice(0, 5).some((x) => x !== 0) || (g[5] !== 0xffff && g[5] !== 0)) return undefined;
  if (g[5] === 0 && g[6] === 0) return undefined; // ::, ::1 and the like are IPv6 addresses of their own
  return `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
}

/**
 * Classifies an IP address literal (as `dns.lookup` returns them, or a URL's bracket-less host).
 * IPv4-mapped IPv6 addresses are judged by the IPv4 address they carry. Anything that is not an IP
 * address is 'reserved' (fail closed).
 */
export function classifyAddress(address: string): AddressKind {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4 && isIP(v4) === 4) return classifyAddress(v4);
  }
  if (family === 4 && ip === '255.255.255.255') return 'reserved';
  for (const [kind, list] of lists) if (list.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return kind;
  return 'public';
}
