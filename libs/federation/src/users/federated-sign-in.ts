import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { FederationFailureReason, subjects } from '@credence/contracts';
import { clientData, ClientInfo } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import type { Connection } from '../connections/connection';
import { FederatedIdentity, FederatedSignInResult } from './federated-identity';

interface LinkedUser {
  id: string;
  email: string;
  username: string | null;
  status: string;
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Turns an identity an IdP vouched for into a Credence user, the same way for SAML, OIDC and LDAP
 * (federation contract, "Users from an IdP"): the (connection, subject) link first; otherwise an
 * existing user with the same e-mail, linked only through one of the connection's verified domains
 * (else `account_exists`); otherwise a new user when JIT is on (else `jit_disabled`). A disabled user is
 * refused. Success and refusal are recorded (`federation.login.succeeded` / `federation.login.failed`).
 */
@Injectable()
export class FederatedSignIn {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async resolve(connection: Connection, identity: FederatedIdentity, client: ClientInfo): Promise<FederatedSignInResult> {
    const result = await this.runner.inTenant(async (uow) => {
      const outcome = await this.link(uow, connection, identity);
      if (outcome.ok) {
        uow.emit('federation.login.succeeded', subjects.user(outcome.userId), {
          connection_id: connection.id,
          connection_type: connection.type,
          user_id: outcome.userId,
          jit_created: outcome.jitCreated,
          ...clientData(client),
        });
      }
      return outcome;
    });
    if (!result.ok) await this.refuse(connection, result.reason, client, result.userId);
    return result;
  }

  /** Records a refused sign-in (its own transaction: nothing else is written). */
  async refuse(connection: Pick<Connection, 'id' | 'type'>, reason: FederationFailureReason, client: ClientInfo, userId: string | null = null): Promise<void> {
    await this.runner.inTenant(async (uow) => {
      uow.emit('federation.login.failed', subjects.connection(connection.id), {
        connection_id: connection.id,
        connection_type: connection.type,
        user_id: userId,
        reason,
        ...clientData(client),
      });
    });
  }

  private async link(uow: UnitOfWork, connection: Connection, identity: FederatedIdentity): Promise<FederatedSignInResult> {
    const [linked] = await uow.query<LinkedUser[]>(
      `SELECT u.id, u.email, u.username, u.status FROM federated_identities f JOIN users u ON u.id = f.user_id
        WHERE f.connection_id = $1 AND f.subject = $2 FOR SHARE OF u`,
      [connection.id, identity.subject],
    );
    if (linked) {
      if (linked.status !== 'active') return { ok: false, reason: 'user_disabled', userId: linked.id };
      await uow.query('UPDATE federated_identities SET last_login_at = now() WHERE connection_id = $1 AND subject = $2', [connection.id, identity.subject]);
      return { ok: true, userId: linked.id, jitCreated: false };
    }
    const email = identity.email?.trim().toLowerCase();
    if (email) {
      const [existing] = await uow.query<LinkedUser[]>('SELECT id, email, username, status FROM users WHERE lower(email) = $1 FOR SHARE', [email]);
      if (existing) {
        if (!connection.domains.includes(domainOf(email))) return { ok: false, reason: 'account_exists', userId: existing.id };
        if (existing.status !== 'active') return { ok: false, reason: 'user_disabled', userId: existing.id };
        await this.insertLink(uow, connection, identity.subject, existing.id, false);
        return { ok: true, userId: existing.id, jitCreated: false };
      }
    }
    if (!connection.jit.enabled) return { ok: false, reason: 'jit_disabled', userId: null };
    if (!email) return { ok: false, reason: 'subject_missing', userId: null };
    const id = uuidv7();
    const displayName = [identity.given_name, identity.family_name].filter(Boolean).join(' ') || null;
    const attributes = { ...(identity.given_name ? { given_name: identity.given_name } : {}), ...(identity.family_name ? { family_name: identity.family_name } : {}) };
    await uow.query(`INSERT INTO users (id, email, display_name, status, attributes) VALUES ($1, $2, $3, 'active', $4)`, [id, email, displayName, JSON.stringify(attributes)]);
    uow.emit('user.created', subjects.user(id), { user_id: id, email, username: null, status: 'active' });
    await this.insertLink(uow, connection, identity.subject, id, true);
    return { ok: true, userId: id, jitCreated: true };
  }

  private async insertLink(uow: UnitOfWork, connection: Connection, subject: string, userId: string, jitCreated: boolean): Promise<void> {
    await uow.query('INSERT INTO federated_identities (connection_id, subject, user_id, last_login_at) VALUES ($1, $2, $3, now())', [connection.id, subject, userId]);
    uow.emit('user.identity_linked', subjects.user(userId), { user_id: userId, connection_id: connection.id, connection_type: connection.type, jit_created: jitCreated });
  }
}
