import { AsyncLocalStorage } from 'node:async_hooks';
import { ClsService } from 'nestjs-cls';
import { DomainError } from '@credence/errors';
import { RequestContext } from './request-context';

const TENANT = { id: '0190f5a0-0000-7000-8000-000000000001', slug: 'acme', schema: 't_0190f5a0000070008000000000000001' };

describe('RequestContext.requireTenant', () => {
  const context = new RequestContext(new ClsService(new AsyncLocalStorage()));

  it('fails closed with tenant.context_missing outside any context', () => {
    expect(() => context.requireTenant()).toThrow(DomainError);
    expect(() => context.requireTenant()).toThrow(expect.objectContaining({ code: 'tenant.context_missing', status: 500 }));
  });

  it('fails closed in a context that has no tenant', async () => {
    await context.runWith({ traceId: 'a'.repeat(32) }, async () => {
      expect(() => context.requireTenant()).toThrow(expect.objectContaining({ code: 'tenant.context_missing' }));
    });
  });

  it('answers the tenant of the context', async () => {
    await expect(context.runWith({ tenant: TENANT }, async () => context.requireTenant())).resolves.toEqual(TENANT);
  });
});
