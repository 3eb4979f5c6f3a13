import type { TokenInvalidReason } from '@credence/contracts';

/** Why a token was refused; `unavailable` means revocation could not be checked (fail closed). */
export class TokenRejected extends Error {
  constructor(
    readonly reason: TokenInvalidReason | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}
