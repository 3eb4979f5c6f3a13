import { AsyncLocalStorage } from 'node:async_hooks';
import { ClsService } from 'nestjs-cls';
import { DomainError } from '@credence/errors';
import { RequestContext, traceIdFrom } from './request-context';

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

describe('traceIdFrom', () => {
  it('keeps a valid traceparent’s trace id and makes a fresh one otherwise, never the same twice', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(traceIdFrom(`00-${id}-00f067aa0ba902b7-01`)).toBe(id);
    // More than one batch of random bytes (256 ids each).
    const fresh = Array.from({ length: 600 }, (_, i) => traceIdFrom(i % 2 ? undefined : `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`));
    expect(fresh.every((t) => /^[0-9a-f]{32}$/.test(t))).toBe(true);
    expect(new Set(fresh).size).toBe(600);
  });
});
