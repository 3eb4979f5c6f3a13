import * as client from 'openid-client';
import { DomainError } from '@credence/errors';
import { OutboundFailure } from '../outbound/outbound-fetch';
import { OidcRefusal, refusalFrom } from './oidc-refusal';

const coded = (code: string, cause: Record<string, unknown> = {}, message = 'x') =>
  Object.assign(new Error('wrapped'), { code, cause: Object.assign(new Error(message), { code, cause }) });

describe('refusalFrom: openid-client errors as federation.login.failed reasons', () => {
  it.each([
    [coded('OAUTH_JWT_CLAIM_COMPARISON_FAILED', { claim: 'iss' }), 'issuer_mismatch'],
    [coded('OAUTH_JWT_CLAIM_COMPARISON_FAILED', { claim: 'aud' }), 'audience_mismatch'],
    [coded('OAUTH_JWT_CLAIM_COMPARISON_FAILED', { claim: 'nonce' }), 'nonce_mismatch'],
    [coded('OAUTH_JWT_TIMESTAMP_CHECK_FAILED', { claim: 'exp' }), 'expired'],
    [coded('OAUTH_JWT_TIMESTAMP_CHECK_FAILED', { claim: 'nbf' }), 'not_yet_valid'],
    [coded('OAUTH_KEY_SELECTION_FAILED'), 'signature_invalid'],
    [coded('OAUTH_INVALID_RESPONSE', { header: { alg: 'none' } }, 'unexpected JWT "alg" header parameter'), 'signature_missing'],
    [coded('OAUTH_INVALID_RESPONSE', {}, 'JWT signature verification failed'), 'signature_invalid'],
    [coded('OAUTH_INVALID_RESPONSE', {}, 'response parameter "iss" (issuer) missing'), 'issuer_mismatch'],
    [Object.assign(new Error('wrapped'), { cause: new OutboundFailure('timed out after 1000 ms') }), 'idp_unavailable'],
    [new DomainError('federation.outbound_refused'), 'idp_error'],
  ])('%#: %s', (err, reason) => {
    expect(refusalFrom(err).reason).toBe(reason);
  });

  it('keeps an OidcRefusal as it is, and the IdP’s own OAuth errors are idp_error', () => {
    const own = new OidcRefusal('state_mismatch', 'x');
    expect(refusalFrom(own)).toBe(own);
    const body = new client.ResponseBodyError('server responded with an error in the response body', {
      cause: { error: 'invalid_grant' },
      response: new Response('{}', { status: 400 }),
    });
    expect(refusalFrom(body).reason).toBe('idp_error');
  });

  it('lets Credence’s own trouble through (Redis or Postgres down is not a refusal)', () => {
    const down = new DomainError('service.unavailable');
    expect(() => refusalFrom(down)).toThrow(down);
  });
});
