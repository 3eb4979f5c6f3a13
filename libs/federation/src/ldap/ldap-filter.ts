import { FilterParser } from 'ldapts';

/**
 * RFC 4515 §3: in a filter's assertion value, `*`, `(`, `)`, `\` and NUL must be written as `\XX`.
 * Every other character stays as it is (UTF-8 is allowed). After this, a username can only ever be
 * a value: `*)(uid=*` matches the literal string, never every entry.
 */
export function escapeFilterValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters to escape
  return value.replace(/[*()\\\u0000]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The placeholders a connection's filter templates may use. */
export interface FilterValues {
  username: string;
  /** The user's DN (group search filters). */
  dn?: string;
}

/**
 * A connection's filter template with every `{{username}}` (and `{{dn}}`) replaced by its escaped
 * value. A replacement function, so `$&` and the like in a value stay literal.
 */
export function fillFilter(template: string, values: FilterValues): string {
  return template.replace(/\{\{(username|dn)\}\}/g, (_m, name: 'username' | 'dn') => escapeFilterValue(values[name] ?? ''));
}

/** A group search filter for the user's groups when the connection names none: groupOfNames and groupOfUniqueNames. */
export const DEFAULT_GROUP_FILTER = '(|(member={{dn}})(uniqueMember={{dn}}))';

/** Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: `member` followed through nested groups. */
export const AD_NESTED_GROUP_FILTER = '(member:1.2.840.113556.1.4.1941:={{dn}})';

/** Why a filter template is not a valid filter once filled (the connections API refuses it), or undefined. */
export function filterTemplateProblem(template: string): string | undefined {
  try {
    FilterParser.parseString(fillFilter(template, { username: 'u', dn: 'cn=u' }));
    return undefined;
  } catch (err) {
    return `is not a valid LDAP filter (RFC 4515): ${String((err as Error).message ?? err).slice(0, 200)}`;
  }
}
