import { Injectable } from '@nestjs/common';
import type { TokenValidateRequest, TokenValidateResponse } from '@credence/contracts';
import { TransportTokenValidator } from './transport-token-validator';

const SLUG = /^[a-z][a-z0-9-]{1,62}$/;

/** identity.token.validate: token → claims, or the reason it is not valid. */
@Injectable()
export class TokenValidateHandler {
  constructor(private readonly validator: TransportTokenValidator) {}

  async handle(input: unknown): Promise<TokenValidateResponse> {
    const req = input as Partial<TokenValidateRequest> | null;
    if (!req || typeof req.token !== 'string' || req.token.length > 8192 || typeof req.tenant !== 'string' || !SLUG.test(req.tenant)) {
      return { valid: false, reason: 'malformed', message: 'Send {"token": "<JWT>", "tenant": "<slug>", "audience"?: "<aud>"}.' };
    }
    if (req.audience !== undefined && typeof req.audience !== 'string') {
      return { valid: false, reason: 'malformed', message: 'audience must be a string.' };
    }
    return this.validator.validate({ token: req.token, tenant: req.tenant, audience: req.audience });
  }
}
