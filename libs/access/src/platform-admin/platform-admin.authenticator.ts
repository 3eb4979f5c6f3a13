import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import type { AuthenticatedAdminKey } from '../principals';
import { AdminScope } from './admin-scopes';
import { ApiKeyStore } from './api-key-store';

// The scheme name is case-insensitive (RFC 7235); the key itself is printable ASCII.
const BEARER = /^bearer +([\x21-\x7e]{16,512})$/i;
export const ADMIN_CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="credence-admin"' };
const TOUCH_EVERY_MS = 60_000;

/** Authenticates a platform admin by API key and checks the route's scopes (all of them). */
@Injectable()
export class PlatformAdminAuthenticator {
  private readonly touched = new Map<string, number>();

  constructor(private readonly keys: ApiKeyStore) {}

  async authenticate(authorization: string | undefined, required: AdminScope[]): Promise<AuthenticatedAdminKey> {
    if (!authorization) throw new DomainError('auth.missing_credentials', undefined, undefined, ADMIN_CHALLENGE);
    const m = BEARER.exec(authorization);
    if (!m) throw new DomainError('auth.invalid_credentials', undefined, undefined, ADMIN_CHALLENGE);
    const key = await this.keys.findBySecret(m[1]);
    if (!key || key.revoked_at || (key.expires_at && key.expires_at.getTime() <= Date.now())) {
      throw new DomainError('auth.invalid_credentials', undefined, undefined, ADMIN_CHALLENGE);
    }
    const missing = required.filter((s) => !key.scopes.includes(s));
    if (missing.length) {
      // RFC 6750 §3.1: the key is good but not for this; `scope` names what the route needs.
      throw new DomainError('auth.insufficient_scope', `This key lacks the scope(s): ${missing.join(', ')}.`, undefined, {
        'WWW-Authenticate': `Bearer realm="credence-admin", error="insufficient_scope", scope="${required.join(' ')}"`,
      });
    }
    this.touch(key.id);
    return { id: key.id, scopes: key.scopes, expiresAt: key.expires_at };
  }

  private touch(id: string): void {
    const last = this.touched.get(id) ?? 0;
    if (Date.now() - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, Date.now());
    void this.keys.touch(id).catch(() => undefined);
  }
}
