import type { TokenInvalidReason } from '@credence/contracts';

/** Why a token was refused; `unavailable` means the keys or revocation could not be read (fail closed). */
export class TokenRejected extends Error {
  constructor(
    readonly reason: TokenInvalidReason | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}
