import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { FederationFailureReason, subjects } from '@credence/contracts';
import { lockForTransaction } from '@credence/database';
import { DomainError } from '@credence/errors';
import { addressBucket, clientData, ClientInfo, RateLimiter } from '@credence/identity';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import type { Connection } from '../connections/connection';
import { CONNECTION_SELECT, toConnection } from '../connections/connection-store';
import { checkIdentity, CheckedIdentity } from './checked-identity';
import { FederatedIdentity, FederatedSignInRefusal, FederatedSignInResult, FederatedSignInSuccess } from './federated-identity';
import { rolesForGroups } from './group-matching';
import { provisionUser } from './jit-provisioning';
import { LockedUser, lockLinkedUser, lockUserRow, syncProfile } from './profile-sync';
import { applyRuleGrants } from './role-grants';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Unique and foreign-key violations a concurrent sign-in, disable or deletion can cause: the unit re-reads and decides again. */
const RETRIED_SQLSTATES = new Set(['23505', '23503', '40P01']);
const ATTEMPTS = 3;

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1);
const sqlState = (err: unknown) => {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e?.code ?? e?.driverError?.code;
};
const refused = (reason: FederationFailureReason, userId: string | null = null): FederatedSignInRefusal => ({ ok: false, reason, userId });

/**
 * Turns an identity an IdP vouched for into a Credence user, the same way for SAML, OIDC and LDAP
 * (federation contract, "Users from an IdP"; docs/federation.md, "Users from an IdP"): the (connection, subject) link
 * first; otherwise an existing user with the same e-mail, linked only through one of the connection's
 * verified domains (else `account_exists`); otherwise a new user when JIT is on (else `jit_disabled`).
 * A disabled user is refused. Each success updates the profile and applies the group → role rules.
 * All of one sign-in is one unit of work holding the user's row; success and refusal are recorded
 * (`federation.login.succeeded` / `federation.login.failed`).
 */
@Injectable()
export class FederatedSignIn {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The connection is read again inside the unit (its rules, domains and JIT settings as committed
   * now); one that is not the tenant's in context is `connection.not_found`.
   */
  async resolve(connection: Pick<Connection, 'id' | 'type'>, identity: FederatedIdentity, client: ClientInfo): Promise<FederatedSignInResult> {
    const outcome = await this.run(
      connection,
      (uow) => this.currentConnection(uow, connection.id),
      identity,
      client,
      async () => undefined,
    );
    return outcome.ok ? { ok: true, userId: outcome.userId, jitCreated: outcome.jitCreated } : outcome;
  }

  /**
   * Like resolve, with the connection as the caller just loaded it (not read again), and `then` run in the
   * same unit of work after a success, while the user's row is still held (CompleteFederatedSignIn: the
   * interaction's browser session and code). Whatever `then` throws undoes the sign-in too.
   */
  async resolveAnd<T>(
    connection: Connection,
    identity: FederatedIdentity,
    client: ClientInfo,
    then: (uow: UnitOfWork, userId: string) => Promise<T>,
  ): Promise<(FederatedSignInSuccess & { value: T }) | FederatedSignInRefusal> {
    return this.run(connection, async () => connection, identity, client, then);
  }

  /**
   * Records a refused sign-in (its own transaction: nothing else is written). These refusals come before
   * any identity is known, so anyone can cause them: past FEDERATION_REFUSALS_PER_IP_PER_MINUTE per
   * client address and connection, nothing is recorded and the caller gets 429 `auth.rate_limited`.
   */
  async refuse(connection: Pick<Connection, 'id' | 'type'>, reason: FederationFailureReason, client: ClientInfo, userId: string | null = null): Promise<void> {
    await this.limiter.enforce(this.limiter.key('federation-refusals', connection.id, addressBucket(client.ip)), this.config.FEDERATION_REFUSALS_PER_IP_PER_MINUTE, 60);
    await this.runner.inTenant(async (uow) => this.recordRefusal(uow, connection, reason, client, userId));
  }

  /** One unit of work: the sign-in's decision and its event, success or refusal, and on success `then`. */
  private run<T>(
    connection: Pick<Connection, 'id' | 'type'>,
    load: (uow: UnitOfWork) => Promise<Connection>,
    identity: FederatedIdentity,
    client: ClientInfo,
    then: (uow: UnitOfWork, userId: string) => Promise<T>,
  ): Promise<(FederatedSignInSuccess & { value: T }) | FederatedSignInRefusal> {
    return this.withRetries(() =>
      this.runner.inTenant(async (uow) => {
        const outcome = await this.signIn(uow, await load(uow), identity);
        if (!outcome.ok) {
          this.recordRefusal(uow, connection, outcome.reason, client, outcome.userId);
          return outcome;
        }
        uow.emit('federation.login.succeeded', subjects.user(outcome.userId), {
          connection_id: connection.id,
          connection_type: connection.type,
          user_id: outcome.userId,
          jit_created: outcome.jitCreated,
          ...clientData(client),
        });
        return { ...outcome, value: await then(uow, outcome.userId) };
      }),
    );
  }

  private recordRefusal(uow: UnitOfWork, connection: Pick<Connection, 'id' | 'type'>, reason: FederationFailureReason, client: ClientInfo, userId: string | null): void {
    uow.emit('federation.login.failed', subjects.connection(connection.id), {
      connection_id: connection.id,
      connection_type: connection.type,
      user_id: userId,
      reason,
      ...clientData(client),
    });
  }

  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n += 1) {
      try {
        return await attempt();
      } catch (err) {
        if (n >= ATTEMPTS || !RETRIED_SQLSTATES.has(sqlState(err) ?? '')) throw err;
      }
    }
  }

  private async signIn(uow: UnitOfWork, connection: Connection, raw: FederatedIdentity): Promise<FederatedSignInResult> {
    if (!connection.enabled) return refused('connection_disabled');
    const checked = checkIdentity(raw);
    if (!checked.ok) return refused(checked.reason);
    const identity = checked.identity;
    const wanted = rolesForGroups(connection.groupRoleMapping ?? [], identity.groups);
    // A returning subject: its link (touched), its user's row (locked) and whether its rule roles are settled in one statement, without the subject's lock.
    const linked = await lockLinkedUser(uow, { connectionId: connection.id, subject: identity.subject, subjectFormat: identity.subjectFormat ?? null }, wanted);
    if (linked) return this.returning(uow, connection, linked, identity, { linkTouched: true, rolesSettled: linked.roles_settled });
    // Two first sign-ins of one subject serialise here: the second finds the link the first made.
    await lockForTransaction(uow.manager.queryRunner!, `federated-subject:${uow.tenant!.id}:${connection.id}:${identity.subject}`);

    const [link] = await uow.query<{ user_id: string }[]>('SELECT user_id FROM federated_identities WHERE connection_id = $1 AND subject = $2', [
      connection.id,
      identity.subject,
    ]);
    if (link) {
      const user = await lockUserRow(uow, { id: link.user_id });
      // Gone between the two reads: deleted while signing in; refused (the next sign-in finds no link).
      if (!user) return refused('user_disabled', link.user_id);
      return this.returning(uow, connection, user, identity);
    }

    if (identity.email) {
      const existing = await lockUserRow(uow, { email: identity.email });
      if (existing) {
        if (!connection.domains.includes(domainOf(identity.email))) return refused('account_exists', existing.id);
        if (existing.status !== 'active') return refused('user_disabled', existing.id);
        await this.insertLink(uow, connection, identity, existing.id, false);
        return this.signedIn(uow, connection, existing, identity, false);
      }
    }

    if (!connection.jit?.enabled) return refused('jit_disabled');
    if (!identity.email) return refused('subject_missing');
    const id = await provisionUser(uow, connection, { ...identity, email: identity.email });
    await this.insertLink(uow, connection, identity, id, true);
    await applyRuleGrants(uow, uow.tenant!.id, connection.id, id, rolesForGroups(connection.groupRoleMapping ?? [], identity.groups));
    return { ok: true, userId: id, jitCreated: true };
  }

  private async returning(
    uow: UnitOfWork,
    connection: Connection,
    user: LockedUser,
    identity: CheckedIdentity,
    known: { linkTouched?: boolean; rolesSettled?: boolean } = {},
  ): Promise<FederatedSignInResult> {
    if (user.status !== 'active') return refused('user_disabled', user.id);
    if (!known.linkTouched)
      await uow.query('UPDATE federated_identities SET last_login_at = now(), subject_format = $3 WHERE connection_id = $1 AND subject = $2', [
        connection.id,
        identity.subject,
        identity.subjectFormat ?? null,
      ]);
    return this.signedIn(uow, connection, user, identity, false, known.rolesSettled);
  }

  private async currentConnection(uow: UnitOfWork, id: string): Promise<Connection> {
    if (!UUID.test(id)) throw new DomainError('connection.not_found');
    const [row] = await uow.query<Parameters<typeof toConnection>[0][]>(`${CONNECTION_SELECT} WHERE c.id = $1`, [id.toLowerCase()]);
    if (!row) throw new DomainError('connection.not_found');
    return toConnection(row);
  }

  private async signedIn(
    uow: UnitOfWork,
    connection: Connection,
    user: LockedUser,
    identity: CheckedIdentity,
    jitCreated: boolean,
    rolesSettled?: boolean,
  ): Promise<FederatedSignInResult> {
    await syncProfile(uow, user, identity);
    await applyRuleGrants(uow, uow.tenant!.id, connection.id, user.id, rolesForGroups(connection.groupRoleMapping ?? [], identity.groups), rolesSettled);
    return { ok: true, userId: user.id, jitCreated };
  }

  private async insertLink(uow: UnitOfWork, connection: Connection, identity: CheckedIdentity, userId: string, jitCreated: boolean): Promise<void> {
    await uow.query('INSERT INTO federated_identities (connection_id, subject, subject_format, user_id, last_login_at) VALUES ($1, $2, $3, $4, now())', [
      connection.id,
      identity.subject,
      identity.subjectFormat ?? null,
      userId,
    ]);
    uow.emit('user.identity_linked', subjects.user(userId), { user_id: userId, connection_id: connection.id, connection_type: connection.type, jit_created: jitCreated });
  }
}
