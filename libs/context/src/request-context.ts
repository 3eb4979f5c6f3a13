import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { randomBytes } from 'node:crypto';
import { DomainError } from '@credence/errors';

/** A tenant as the rest of the code sees it once resolved from something verified. */
export interface TenantRef {
  id: string;
  slug: string;
  schema: string;
}

interface ContextStore {
  traceId?: string;
  traceparent?: string;
  actor?: string;
  tenant?: TenantRef;
  [key: symbol]: unknown;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** Parses a W3C traceparent; returns the trace id, or a fresh one when absent or malformed. */
export function traceIdFrom(traceparent: string | undefined): string {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (m && !/^0+$/.test(m[1])) return m[1];
  return randomBytes(16).toString('hex');
}

/**
 * Async-local request context (nestjs-cls): trace, actor and tenant of the current unit of work.
 * Code that needs a tenant and finds none must call requireTenant(), which fails closed.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<ContextStore>) {}

  get active(): boolean {
    return this.cls.isActive();
  }

  get traceId(): string {
    return (this.cls.isActive() && this.cls.get('traceId')) || 'none';
  }

  get traceparent(): string | undefined {
    return this.cls.isActive() ? this.cls.get('traceparent') : undefined;
  }

  get actor(): string {
    return (this.cls.isActive() && this.cls.get('actor')) || 'system';
  }

  get tenant(): TenantRef | undefined {
    return this.cls.isActive() ? this.cls.get('tenant') : undefined;
  }

  /** The tenant of the current unit of work; `tenant.context_missing` (a 500, logged) when there is none. */
  requireTenant(): TenantRef {
    const tenant = this.tenant;
    if (!tenant) throw new DomainError('tenant.context_missing');
    return tenant;
  }

  setTrace(traceId: string, traceparent?: string): void {
    this.cls.set('traceId', traceId);
    if (traceparent) this.cls.set('traceparent', traceparent);
  }

  setActor(actor: string): void {
    this.cls.set('actor', actor);
  }

  setTenant(tenant: TenantRef): void {
    this.cls.set('tenant', tenant);
  }

  /** Runs work in a fresh context (jobs, recovery, CLI) with the given tenant and actor. */
  runWith<T>(values: { tenant?: TenantRef; actor?: string; traceId?: string }, work: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set('traceId', values.traceId ?? this.cls.get('traceId') ?? traceIdFrom(undefined));
      if (values.actor) this.cls.set('actor', values.actor);
      if (values.tenant) this.cls.set('tenant', values.tenant);
      return work();
    });
  }
}
