import { Injectable } from '@nestjs/common';
import type { AccessTokenClaimsView, TokenInvalidReason, TokenValidateRequest, TokenValidateResponse } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantRegistry } from '@credence/tenancy';
import { decodeJwt } from '../../tokens/jwt';
import { InvalidReason, InvalidTokenError, TokenVerifier } from '../../tokens/token-verifier';

const REASONS: Record<InvalidReason, TokenInvalidReason> = {
  malformed: 'malformed',
  algorithm_not_allowed: 'malformed',
  wrong_type: 'malformed',
  missing_claims: 'malformed',
  unknown_key: 'unknown_key',
  bad_signature: 'bad_signature',
  wrong_issuer: 'wrong_issuer',
  wrong_audience: 'wrong_audience',
  wrong_tenant: 'wrong_tenant',
  not_yet_valid: 'not_yet_valid',
  expired: 'expired',
  revoked: 'revoked',
};

const invalid = (reason: TokenInvalidReason, message: string): TokenValidateResponse => ({ valid: false, reason, message });

/**
 * identity.token.validate over the transport: the same checks as every guarded HTTP route
 * (TokenVerifier, revocation included). Infrastructure failures are thrown, so the caller gets an
 * error reply rather than a "valid": the check fails closed.
 */
@Injectable()
export class TransportTokenValidator {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly verifier: TokenVerifier,
    private readonly context: RequestContext,
  ) {}

  async validate(request: TokenValidateRequest): Promise<TokenValidateResponse> {
    if (typeof request?.token !== 'string' || typeof request.tenant !== 'string') return invalid('malformed', 'token and tenant are required');
    let tenant;
    try {
      tenant = await this.registry.resolveServing(request.tenant);
    } catch (err) {
      if (err instanceof DomainError && err.category !== 'internal' && err.category !== 'unavailable') return invalid('wrong_tenant', err.message);
      throw err;
    }
    try {
      await this.context.runWith({ tenant, principal: 'service:transport' }, () => this.verifier.verify(tenant, request.token));
    } catch (err) {
      if (err instanceof InvalidTokenError) return invalid(REASONS[err.reason], err.message);
      throw err;
    }
    const claims = decodeJwt(request.token)!.claims as unknown as AccessTokenClaimsView;
    if (request.audience) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(request.audience)) return invalid('wrong_audience', `The token is not meant for ${request.audience}.`);
    }
    return { valid: true, claims };
  }
}
