import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { AuthorizationService } from './authorization.service';
import { isProvisioningCaller, rankOf, refusalToActOn, Standing, Tier } from './target-rank';

/**
 * A refusal found inside a unit of work that is about to roll back: `recordingRefusals` records it
 * once the rollback is done, as every denial is recorded.
 */
export class ActOnRefused extends DomainError {
  constructor(
    readonly callerId: string,
    readonly resource: string,
    readonly action: string,
    readonly reason: string,
    detail: string,
  ) {
    super('authz.access.denied', detail);
  }
}

const TIERS_SQL = `SELECT rank, permissions FROM roles WHERE rank IS NOT NULL ORDER BY rank`;
const HELD_TIERS_SQL = `SELECT coalesce(max(r.rank), 0)::int AS rank FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1`;

/**
 * The one place that answers "may this user act on that user?" (rules in target-rank.ts). Command
 * handlers ask inside the target's actor, after locking the target, so a role given to the target
 * at the same moment cannot slip between the check and the change; routes without a handler use
 * TargetRankGuard. Acting on oneself is never judged here: the self rules apply.
 */
@Injectable()
export class TargetRank {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly authz: AuthorizationService,
  ) {}

  private async tiers(uow: UnitOfWork): Promise<Tier[]> {
    const rows = await uow.query<{ rank: number; permissions: string[] }[]>(TIERS_SQL);
    const included = new Set<string>();
    return rows.map((row) => {
      row.permissions.forEach((p) => included.add(p));
      return { rank: row.rank, permissions: new Set(included) };
    });
  }

  /** The user's rank and effective grants as stored now; null for a user who does not exist (nothing to outrank). */
  async standingIn(uow: UnitOfWork, userId: string, tiers?: Tier[]): Promise<(Standing & { active: boolean }) | null> {
    const subject = await this.authz.loadSubject(uow, userId);
    if (!subject) return null;
    const all = tiers ?? (await this.tiers(uow));
    const [{ rank: held }] = await uow.query<{ rank: number }[]>(HELD_TIERS_SQL, [userId]);
    const top = all.at(-1)?.rank;
    return {
      userId,
      rank: rankOf(subject.grants, held, all),
      holdsTopTier: top !== undefined && held === top,
      attributes: subject.attributes,
      grants: subject.grants,
      active: subject.status === 'active',
    };
  }

  /** Throws ActOnRefused when `callerId` may not act on `targetId`; call inside the target's actor. */
  async assertMayActOn(uow: UnitOfWork, callerId: string, targetId: string, resource: string, action: string): Promise<void> {
    if (callerId === targetId || isProvisioningCaller(callerId)) return;
    const tiers = await this.tiers(uow);
    const [caller, target] = [await this.standingIn(uow, callerId, tiers), await this.standingIn(uow, targetId, tiers)];
    if (!caller?.active) throw new ActOnRefused(callerId, resource, action, 'user_inactive', 'You are not an active user of this tenant.');
    const refusal = target && refusalToActOn(caller, target);
    if (refusal) throw new ActOnRefused(callerId, resource, action, refusal.reason, refusal.detail);
  }

  /** Throws ActOnRefused unless `callerId` holds resource.action for `targetId` (a second permission a change needs). */
  async assertPermittedIn(uow: UnitOfWork, callerId: string, targetId: string, resource: string, action: string): Promise<void> {
    const decision = await this.authz.decideIn(uow, callerId, { resource, action, target: { userId: targetId } });
    if (!decision.allowed) throw new ActOnRefused(callerId, resource, action, decision.reason, `${decision.detail} ${resource}.${action} is needed.`);
  }

  /** Runs `work` (a unit of work that may refuse); a refusal is recorded after its rollback, then rethrown. */
  async recordingRefusals<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ActOnRefused) await this.authz.recordDenial(err.callerId, err.resource, err.action, err.reason);
      throw err;
    }
  }

  /** For routes: judges in a read-only unit of work of its own, records a refusal and throws 403. */
  async assertMayActOnNow(callerId: string, targetId: string, resource: string, action: string): Promise<void> {
    await this.recordingRefusals(() => this.runner.inTenant((uow) => this.assertMayActOn(uow, callerId, targetId, resource, action)));
  }
}
