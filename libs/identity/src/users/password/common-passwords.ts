import list from '../../../data/common-passwords.json';

/** Shipped data (libs/identity/data/README.md says where it comes from), loaded once. Entries are lower-case. */
const COMMON = new Set<string>(list as string[]);

/** True for a common or breached password, compared case-insensitively ("Password123" is "password123"). */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}
