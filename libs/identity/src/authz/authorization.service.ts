import { Injectable } from '@nestjs/common';
import type { PermissionQuery, TargetInput } from '@credence/access';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { AccessDecision, decide, Grant, grantFrom, Subject, Target } from './access-decision';
import { beyondCeiling } from './grant-ceiling';
import { ATTRIBUTE_SCOPES } from './permission';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The user's status and attributes with their grants, in one statement: the roles held directly, plus
 * every ranked role at or below the highest rank held (tiers include lower tiers), each permission with
 * the role it comes from, highest rank first. No row when the user does not exist.
 */
const SUBJECT_SQL = `
  WITH held AS (SELECT r.id, r.rank FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1)
  SELECT u.id, u.status, u.attributes,
         coalesce((SELECT json_agg(json_build_object('role', r.name, 'permission', p.permission) ORDER BY r.rank DESC NULLS LAST, r.name, p.permission)
                     FROM roles r CROSS JOIN LATERAL unnest(r.permissions) AS p(permission)
                    WHERE r.id IN (SELECT id FROM held) OR r.rank <= (SELECT max(rank) FROM held)), '[]') AS grants
    FROM users u WHERE u.id = $1`;

interface SubjectRow {
  id: string;
  status: Subject['status'];
  attributes: Record<string, unknown>;
  grants: { role: string; permission: string }[];
}

/**
 * The subject through `read` (a unit's query, or a unit of its own): the first grant of a permission
 * wins (the highest rank's). Null for an id that is not a UUID, without asking Postgres.
 */
async function readSubject(read: (sql: string, params: unknown[]) => Promise<SubjectRow[]>, userId: string): Promise<Subject | null> {
  if (!UUID.test(userId)) return null;
  const [row] = await read(SUBJECT_SQL, [userId]);
  if (!row) return null;
  const grants = new Map<string, Grant>();
  for (const g of row.grants) {
    const grant = grantFrom(g.permission, g.role);
    if (grant && !grants.has(grant.permission)) grants.set(grant.permission, grant);
  }
  return { userId: row.id, status: row.status, attributes: row.attributes ?? {}, grants: [...grants.values()] };
}

/** The one place that decides access: routes (PermissionGuard), check-access and permissions/check. */
@Injectable()
export class AuthorizationService {
  constructor(private readonly runner: TenantTransactionRunner) {}

  /** The user's status, attributes and effective grants as stored now. */
  loadSubject(uow: UnitOfWork, userId: string): Promise<Subject | null> {
    return readSubject((sql, params) => uow.query<SubjectRow[]>(sql, params), userId);
  }

  async loadTarget(uow: UnitOfWork, input: TargetInput): Promise<Target> {
    if (input.userId && UUID.test(input.userId)) {
      const [row] = await uow.query<{ attributes: Record<string, unknown> }[]>(`SELECT attributes FROM users WHERE id = $1`, [input.userId]);
      if (row) return { userId: input.userId, attributes: row.attributes ?? {} };
    }
    return { userId: input.userId, attributes: input.attributes };
  }

  async decideIn(uow: UnitOfWork, userId: string, q: PermissionQuery): Promise<AccessDecision> {
    const subject = await this.loadSubject(uow, userId);
    const target = q.target && subject ? await this.loadTarget(uow, q.target) : undefined;
    return decide(subject, q.resource, q.action, target, q.narrowable);
  }

  /**
   * Decides in a read-only unit of work of its own, on the ambient tenant. Without a target user the
   * unit is one statement, so it takes one round trip (queryInTenant).
   */
  async check(userId: string, q: PermissionQuery): Promise<AccessDecision> {
    if (q.target) return this.runner.inTenant((uow) => this.decideIn(uow, userId, q));
    const subject = await readSubject((sql, params) => this.runner.queryInTenant<SubjectRow[]>(sql, params), userId);
    return decide(subject, q.resource, q.action, undefined, q.narrowable);
  }

  /** Records authz.access.denied in a small transaction of its own: the refused request itself changes nothing. */
  async recordDenial(userId: string | null, resource: string, action: string, reason: string): Promise<void> {
    await this.runner.inTenant(async (uow) => {
      uow.emit('authz.access.denied', subjects.user(userId), { user_id: userId, resource, action, reason });
    });
  }

  /** Records the denial and throws 403 authz.access.denied. */
  async deny(userId: string | null, resource: string, action: string, reason: string, detail?: string): Promise<never> {
    await this.recordDenial(userId, resource, action, reason);
    throw new DomainError('authz.access.denied', detail);
  }

  /**
   * No escalation through role management: the caller must hold every permission on Credence's own
   * resources that `permissions` would hand out (a role's own list, or a ranked tier with every tier
   * below it). Otherwise 403, recorded like any denial.
   */
  async assertMayGrant(callerId: string, resource: string, action: string, permissions: (uow: UnitOfWork) => Promise<string[]>): Promise<void> {
    const { held, granted } = await this.runner.inTenant(async (uow) => {
      const subject = await this.loadSubject(uow, callerId);
      return { held: subject?.status === 'active' ? subject.grants.map((g) => g.permission) : [], granted: await permissions(uow) };
    });
    const missing = beyondCeiling(granted, held);
    if (missing.length)
      await this.deny(callerId, resource, action, 'beyond_own_permissions', `You can only hand out Credence permissions you hold yourself; you lack ${missing.join(', ')}.`);
  }

  /**
   * assertMayGrant for rules that hand the named roles out later (a connection's JIT and group rules, a
   * directory's group mapping): every Credence permission those roles carry. Names of no role hand out nothing.
   */
  async assertMayHandOutRoles(callerId: string, resource: string, action: string, roleNames: string[]): Promise<void> {
    const names = [...new Set(roleNames)];
    if (!names.length) return;
    await this.assertMayGrant(callerId, resource, action, async (uow) => {
      const roles = await uow.query<{ rank: number | null; permissions: string[] }[]>('SELECT rank, permissions FROM roles WHERE name = ANY($1)', [names]);
      return (await Promise.all(roles.map((role) => this.rolePermissions(uow, role)))).flat();
    });
  }

  /** The permissions a role hands out: its own, plus those of every ranked tier below a ranked role. */
  async rolePermissions(uow: UnitOfWork, role: { rank: number | null; permissions: string[] }): Promise<string[]> {
    if (role.rank === null) return role.permissions;
    const rows = await uow.query<{ permission: string }[]>(
      `SELECT DISTINCT p.permission FROM roles r CROSS JOIN LATERAL unnest(r.permissions) AS p(permission) WHERE r.rank IS NOT NULL AND r.rank <= $1`,
      [role.rank],
    );
    return [...new Set([...role.permissions, ...rows.map((r) => r.permission)])];
  }

  /**
   * A conditional grant (self, department, ...) must not let its holder move a record out of reach or
   * widen their own reach: attributes that scopes compare may only be set to the caller's own value.
   */
  async assertScopedAttributesKept(decision: AccessDecision, resource: string, action: string, attributes: Record<string, unknown> | undefined): Promise<void> {
    if (!attributes || !decision.subject || decision.scopes.includes('any')) return;
    for (const [scope, key] of Object.entries(ATTRIBUTE_SCOPES)) {
      if (!Object.hasOwn(attributes, key) || attributes[key] === decision.subject.attributes[key]) continue;
      const reason = decision.scopes.some((s) => s === scope) ? `${scope}_mismatch` : 'conditions_not_met';
      await this.deny(decision.subject.userId, resource, action, reason, `Only ${resource}.${action}:any may change ${key} to another value than your own.`);
    }
  }
}
