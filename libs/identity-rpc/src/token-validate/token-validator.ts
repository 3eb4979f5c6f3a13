import type { TokenValidateRequest, TokenValidateResponse } from '@credence/contracts';

/** Validates an access token for a caller on the transport. The identity lib binds the real one. */
export interface TokenValidator {
  validate(request: TokenValidateRequest): Promise<TokenValidateResponse>;
}
export const TOKEN_VALIDATOR = Symbol('TOKEN_VALIDATOR');

/** Until the identity work binds TOKEN_VALIDATOR: every token is answered `not_supported`. */
export class TokenValidationNotSupported implements TokenValidator {
  async validate(): Promise<TokenValidateResponse> {
    return {
      valid: false,
      reason: 'not_supported',
      message: 'This Credence does not validate tokens over the transport yet; verify them locally with the tenant JWKS (consumer kit).',
    };
  }
}
