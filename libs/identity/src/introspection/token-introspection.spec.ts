import { DomainError } from '@credence/errors';
import type { AppConfig } from '@credence/config';
import type { RequestContext } from '@credence/context';
import type { TenantTransactionRunner } from '@credence/tenancy';
import { InvalidTokenError, TokenVerifier } from '../tokens/token-verifier';
import { TokenIntrospection } from './token-introspection';

const tenant = { id: '0190f5a0-0000-7000-8000-000000000001', slug: 'acme', schema: 't_0190f5a0000070008000000000000001' };
const config = { CREDENCE_BASE_URL: 'http://localhost:3000' } as AppConfig;
const runner = {} as TenantTransactionRunner;
const context = { requireTenant: () => tenant } as unknown as RequestContext;
const jwt = ['{"alg":"ES256"}', '{"sub":"u"}', 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');

const introspectionWith = (verify: () => Promise<unknown>) => new TokenIntrospection({ verifyClaims: verify } as unknown as TokenVerifier, runner, context, config);

describe('TokenIntrospection', () => {
  it('answers active:false for every invalid-token reason', async () => {
    for (const reason of ['malformed', 'wrong_tenant', 'expired', 'revoked'] as const) {
      const introspection = introspectionWith(() => Promise.reject(new InvalidTokenError(reason)));
      await expect(introspection.introspect(jwt)).resolves.toEqual({ active: false });
    }
  });

  it('lets "revocation state cannot be read" through as 503 instead of answering', async () => {
    const introspection = introspectionWith(() => Promise.reject(new DomainError('service.unavailable', 'Revocation state cannot be read.')));
    await expect(introspection.introspect(jwt)).rejects.toMatchObject({ code: 'service.unavailable', status: 503 });
  });

  it('lets any other failure through rather than calling the token inactive or active', async () => {
    const introspection = introspectionWith(() => Promise.reject(new Error('connection reset')));
    await expect(introspection.introspect(jwt)).rejects.toThrow('connection reset');
  });
});
