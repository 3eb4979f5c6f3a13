import { Injectable } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
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
  principal?: string;
  tenant?: TenantRef;
  [key: symbol]: unknown;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

// Trace ids come from a batch of random bytes: one randomBytes call per request was 2 % of introspection's CPU.
let entropy = Buffer.alloc(0);
let used = 0;
function randomTraceId(): string {
  if (used + 16 > entropy.length) {
    entropy = randomBytes(4096);
    used = 0;
  }
  used += 16;
  return entropy.toString('hex', used - 16, used);
}

/** Parses a W3C traceparent; returns the trace id, or a fresh one when absent or malformed. */
export function traceIdFrom(traceparent: string | undefined): string {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (m && !/^0+$/.test(m[1])) return m[1];
  return randomTraceId();
}

/** The trace id of the unit of work running now (a request, a job), for log lines; undefined outside one. */
export function currentTraceId(): string | undefined {
  const cls = ClsServiceManager.getClsService<ContextStore>();
  return cls.isActive() ? cls.get('traceId') : undefined;
}

/**
 * Async-local request context (nestjs-cls): trace, principal and tenant of the current unit of work.
 * Code that needs a tenant and finds none must call requireTenant(), which fails closed.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<ContextStore>) {}

  get active(): boolean {
    return this.cls.isActive();
  }

  get traceId(): string {
    return currentTraceId() || 'none';
  }

  get traceparent(): string | undefined {
    return this.cls.isActive() ? this.cls.get('traceparent') : undefined;
  }

  /** Who the current unit of work acts for: `user:<id>`, `service:<id>`, `platform-admin:<key id>` or `system:<job>`. */
  get principal(): string {
    return (this.cls.isActive() && this.cls.get('principal')) || 'system';
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

  setPrincipal(principal: string): void {
    this.cls.set('principal', principal);
  }

  setTenant(tenant: TenantRef): void {
    this.cls.set('tenant', tenant);
  }

  /** Runs work in a fresh context (jobs, recovery, CLI) with the given tenant and principal. */
  runWith<T>(values: { tenant?: TenantRef; principal?: string; traceId?: string }, work: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set('traceId', values.traceId ?? this.cls.get('traceId') ?? traceIdFrom(undefined));
      if (values.principal) this.cls.set('principal', values.principal);
      if (values.tenant) this.cls.set('tenant', values.tenant);
      return work();
    });
  }
}
