import { ATTRIBUTE_SCOPES, isAttributeScope, parsePermission, Permission, Scope } from './permission';

/** A permission a user holds, with the role it comes from (directly or inherited by rank). */
export interface Grant extends Permission {
  permission: string;
  role: string;
}

/** The user whose access is decided, as stored now (never as a token claims it). */
export interface Subject {
  userId: string;
  status: 'invited' | 'active' | 'disabled';
  attributes: Record<string, unknown>;
  grants: Grant[];
}

/** The record the access is to: the user who owns it and that user's attributes. */
export interface Target {
  userId?: string;
  attributes?: Record<string, unknown>;
}

export type DecisionReason =
  'granted' | 'no_permission' | 'not_own_record' | `${keyof typeof ATTRIBUTE_SCOPES}_mismatch` | 'conditions_not_met' | 'target_required' | 'user_inactive' | 'user_not_found';

export interface AccessDecision {
  allowed: boolean;
  reason: DecisionReason;
  /** The permission that allowed it, when allowed. */
  permission: string | null;
  /** A sentence for people; `reason` is the stable part. */
  detail: string;
  /** Scopes the subject holds for this resource.action (handlers narrow lists by them). */
  scopes: Scope[];
  subject: Pick<Subject, 'userId' | 'attributes'> | null;
}

export function grantFrom(permission: string, role: string): Grant | undefined {
  const parsed = parsePermission(permission);
  return parsed && { ...parsed, permission, role };
}

const deny = (reason: DecisionReason, detail: string, subject: Subject | null, scopes: Scope[] = []): AccessDecision => ({
  allowed: false,
  reason,
  permission: null,
  detail,
  scopes,
  subject: subject && { userId: subject.userId, attributes: subject.attributes },
});

const allow = (grant: Grant, detail: string, subject: Subject, scopes: Scope[]): AccessDecision => ({
  allowed: true,
  reason: 'granted',
  permission: grant.permission,
  detail,
  scopes,
  subject: { userId: subject.userId, attributes: subject.attributes },
});

function attributeValue(attributes: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = attributes?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Why a conditional grant does not apply to the target, or undefined when it does. */
function unmetCondition(grant: Grant, subject: Subject, target: Target): DecisionReason | undefined {
  if (grant.scope === 'self') return target.userId !== undefined && target.userId === subject.userId ? undefined : 'not_own_record';
  if (isAttributeScope(grant.scope)) {
    const key = ATTRIBUTE_SCOPES[grant.scope];
    const mine = attributeValue(subject.attributes, key);
    return mine !== undefined && mine === attributeValue(target.attributes, key) ? undefined : `${grant.scope}_mismatch`;
  }
  return undefined;
}

/**
 * Decides whether `subject` may do resource.action to `target`. Without a target only `:any` grants
 * apply, unless `narrowable` (a list the handler then narrows by `scopes`).
 */
export function decide(subject: Subject | null, resource: string, action: string, target: Target | undefined, narrowable = false): AccessDecision {
  const wanted = `${resource}.${action}`;
  if (!subject) return deny('user_not_found', 'The user does not exist in this tenant.', null);
  if (subject.status !== 'active') return deny('user_inactive', `The user is ${subject.status}.`, subject);
  const matching = subject.grants.filter((g) => g.resource === resource && g.action === action);
  const scopes = [...new Set(matching.map((g) => g.scope))];
  if (!matching.length) return deny('no_permission', `No role of the user grants ${wanted}.`, subject);
  const any = matching.find((g) => g.scope === 'any');
  if (any) return allow(any, `${any.permission} (role ${any.role}).`, subject, scopes);
  if (narrowable) return allow(matching[0], `${matching.map((g) => g.permission).join(', ')}: results limited to what they reach.`, subject, scopes);
  if (!target) return deny('target_required', `${matching.map((g) => g.permission).join(', ')} apply only to a named record; none was given.`, subject, scopes);
  const unmet: DecisionReason[] = [];
  for (const grant of matching) {
    const why = unmetCondition(grant, subject, target);
    if (!why) return allow(grant, `${grant.permission} (role ${grant.role}) applies to this record.`, subject, scopes);
    unmet.push(why);
  }
  const reasons = [...new Set(unmet)];
  const reason = reasons.length === 1 ? reasons[0] : 'conditions_not_met';
  return deny(reason, `${matching.map((g) => g.permission).join(', ')} do not apply to this record.`, subject, scopes);
}
