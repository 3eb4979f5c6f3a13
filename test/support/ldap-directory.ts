import { GROUPS, PEOPLE } from './slapd';

export interface GeneratedDirectory {
  /** Users u0 … u(n-1) under ou=people, each with mail u<i>@<domain>, givenName, sn and a password. */
  users: number;
  domain: string;
  /** Groups under ou=groups: cn and which user indexes are members. */
  groups?: { cn: string; members: (i: number) => boolean }[];
  /** The modifyTimestamp every entry carries (slapadd keeps it), so a later change stands out. */
  modified?: string;
}

export const userDn = (i: number) => `uid=u${i},${PEOPLE}`;
export const groupDn = (cn: string) => `cn=${cn},${GROUPS}`;

/** LDIF of a generated directory, for startSlapd({ preload }) (slapadd). */
export function generatedDirectory(d: GeneratedDirectory): string {
  const stamp = d.modified ?? '20260101000000Z';
  const out: string[] = [];
  for (let i = 0; i < d.users; i += 1) {
    out.push(
      [
        `dn: ${userDn(i)}`,
        'objectClass: inetOrgPerson',
        `uid: u${i}`,
        `cn: Given${i} Family${i}`,
        `givenName: Given${i}`,
        `sn: Family${i}`,
        `mail: u${i}@${d.domain}`,
        `userPassword: pw-u${i}`,
        `modifyTimestamp: ${stamp}`,
      ].join('\n'),
    );
  }
  for (const g of d.groups ?? []) {
    const members = Array.from({ length: d.users }, (_, i) => i).filter(g.members);
    out.push([`dn: ${groupDn(g.cn)}`, 'objectClass: groupOfNames', `cn: ${g.cn}`, ...members.map((i) => `member: ${userDn(i)}`), `modifyTimestamp: ${stamp}`].join('\n'));
  }
  return `${out.join('\n\n')}\n`;
}
