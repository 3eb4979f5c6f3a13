import * as client from 'openid-client';
import type { FederationFailureReason } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { OutboundFailure } from '../outbound/outbound-fetch';

/** A callback refused by one of the checks: its reason goes to federation.login.failed, never to the browser. */
export class OidcRefusal extends Error {
  constructor(
    readonly reason: FederationFailureReason,
    detail: string,
  ) {
    super(detail);
    this.name = 'OidcRefusal';
  }
}

interface Coded {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

const chain = (err: unknown): Coded[] => {
  const out: Coded[] = [];
  for (let e = err as Coded | undefined, n = 0; e && typeof e === 'object' && n < 6; e = e.cause as Coded | undefined, n += 1) out.push(e);
  return out;
};

const claimOf = (links: Coded[]): string | undefined => {
  for (const e of links) {
    const claim = (e as { claim?: unknown }).claim ?? (e.cause as { claim?: unknown } | undefined)?.claim;
    if (typeof claim === 'string') return claim;
  }
  return undefined;
};

const algOf = (links: Coded[]): unknown => {
  for (const e of links) {
    const c = e as { alg?: unknown; header?: { alg?: unknown } };
    if (c.alg !== undefined) return c.alg;
    if (c.header?.alg !== undefined) return c.header.alg;
  }
  return undefined;
};

/**
 * What openid-client's error means for the audit trail. The library throws coded errors whose causes
 * name the claim (iss, aud, nonce, exp); anything from the network is the IdP being unavailable.
 * An error that is ours (Redis or Postgres down) is not a refusal: it goes on as it is.
 */
export function refusalFrom(err: unknown): OidcRefusal {
  if (err instanceof OidcRefusal) return err;
  if (err instanceof DomainError && err.code !== 'federation.outbound_refused') throw err;
  const links = chain(err);
  const messages = links.map((e) => String(e.message ?? '')).join(' | ');
  const detail = messages || 'refused';
  const refuse = (reason: FederationFailureReason) => new OidcRefusal(reason, detail);
  if (links.some((e) => e instanceof OutboundFailure) || links.some((e) => e.code === 'OAUTH_TIMEOUT' || e.code === 'OAUTH_ABORT')) return refuse('idp_unavailable');
  if (err instanceof DomainError) return refuse('idp_error');
  if (err instanceof client.AuthorizationResponseError || err instanceof client.ResponseBodyError) return refuse('idp_error');
  const codes = new Set(links.map((e) => e.code));
  const claim = claimOf(links);
  if (codes.has('OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) return refuse(claim === 'nbf' ? 'not_yet_valid' : 'expired');
  if (codes.has('OAUTH_JWT_CLAIM_COMPARISON_FAILED')) {
    if (claim === 'iss') return refuse('issuer_mismatch');
    if (claim === 'aud' || claim === 'azp') return refuse('audience_mismatch');
    if (claim === 'nonce') return refuse('nonce_mismatch');
    return refuse('id_token_invalid');
  }
  if (codes.has('OAUTH_KEY_SELECTION_FAILED')) return refuse('signature_invalid');
  const alg = algOf(links);
  if (alg === 'none') return refuse('signature_missing');
  if (/signature verification failed|"alg"|JWS alg|JWS algorithm/i.test(messages)) return refuse('signature_invalid');
  if (/"iss"/.test(messages)) return refuse('issuer_mismatch');
  if (/"state"/.test(messages)) return refuse('state_mismatch');
  if (codes.has('OAUTH_RESPONSE_IS_NOT_CONFORM') || codes.has('OAUTH_RESPONSE_IS_NOT_JSON')) return refuse('idp_error');
  return refuse('id_token_invalid');
}
