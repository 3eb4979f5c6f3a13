import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { RequestContext } from '@credence/context';
import { sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { AdminScope, REQUIRED_SCOPES } from './admin-scopes';
import type { AuthenticatedAdminKey } from './current-admin-key';

interface KeyRow {
  id: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
}

// The scheme name is case-insensitive (RFC 7235); the key itself is printable ASCII.
const BEARER = /^bearer +([\x21-\x7e]{16,512})$/i;
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="credence-admin"' };
const TOUCH_EVERY_MS = 60_000;

/** Authenticates platform admins by API key (stored as SHA-256) and checks the route's scopes. */
@Injectable()
export class PlatformAdminGuard implements CanActivate {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly reflector: Reflector,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; platformAdminKey?: AuthenticatedAdminKey }>();
    const header = req.headers.authorization;
    if (!header) throw new DomainError('auth.missing_credentials', undefined, undefined, CHALLENGE);
    const m = BEARER.exec(header);
    if (!m) throw new DomainError('auth.invalid_credentials', undefined, undefined, CHALLENGE);
    const rows: KeyRow[] = await this.dataSource.query(
      'SELECT id, scopes, expires_at, revoked_at FROM platform.api_keys WHERE secret_hash = $1',
      [sha256(m[1])],
    );
    const key = rows[0];
    if (!key || key.revoked_at || (key.expires_at && key.expires_at.getTime() <= Date.now())) {
      throw new DomainError('auth.invalid_credentials', undefined, undefined, CHALLENGE);
    }
    const required = this.reflector.getAllAndOverride<AdminScope[] | undefined>(REQUIRED_SCOPES, [ctx.getHandler(), ctx.getClass()]) ?? [];
    const missing = required.filter((s) => !key.scopes.includes(s));
    if (missing.length) throw new DomainError('auth.insufficient_scope', `This key lacks the scope(s): ${missing.join(', ')}.`);
    this.context.setPrincipal(`platform-admin:${key.id}`);
    req.platformAdminKey = { id: key.id, scopes: key.scopes, expiresAt: key.expires_at };
    this.touch(key.id);
    return true;
  }

  private touch(id: string): void {
    const last = this.touched.get(id) ?? 0;
    if (Date.now() - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, Date.now());
    void this.dataSource.query('UPDATE platform.api_keys SET last_used_at = now() WHERE id = $1', [id]).catch(() => undefined);
  }
}
