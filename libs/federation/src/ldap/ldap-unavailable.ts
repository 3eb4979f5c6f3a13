import { InvalidCredentialsError } from 'ldapts';

/**
 * The directory could not answer: refused by the address policy, DNS, connection refused, TLS
 * (wrong CA, bad certificate), StartTLS refused, a timeout, a closed socket, or an error result
 * where an answer was expected. `detail` is safe to show the tenant admin (the connection test) and
 * to log: it never carries a password or a username.
 */
export class LdapUnavailable extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'LdapUnavailable';
  }
}

/** True when the directory refused a bind's credentials (result code 49), as opposed to failing. */
export const isInvalidCredentials = (err: unknown): boolean => err instanceof InvalidCredentialsError;

/** What an error of ldapts or of the socket says, in words fit for LdapUnavailable (first line, bounded). */
export function describeLdapError(err: unknown): string {
  if (err instanceof LdapUnavailable) return err.detail;
  const e = err as NodeJS.ErrnoException & { code?: string | number };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const first = String((err as Error)?.message ?? err)
    .split('\n')[0]
    .slice(0, 200);
  return code && !first.includes(code) ? `${code}: ${first}` : first;
}
