import type { Grant } from './access-decision';
import { CREDENCE_RESOURCES } from './grant-ceiling';
import { ATTRIBUTE_SCOPES, isAttributeScope } from './permission';

/**
 * Who may act on whom. Acting on another user (changing them, their password, status, roles or
 * sessions) can hand the caller that user's powers: set their password and sign in as them. So the
 * caller must outrank the target and hold every power the target has over others.
 *
 * Rank. The default tiers carry ranks (guest 10 ... tenant_admin 50); custom roles have none. A
 * user's rank is the higher of the highest tier they hold and the lowest tier whose permissions
 * (with every tier below it) include every Credence permission they hold: you rank with the
 * weakest tier that could do all you can. A custom role with `user.update:department` therefore
 * ranks with tenant_admin, the only tier that updates users; a Credence permission no tier holds
 * ranks above every tier. `:self` permissions are left out: they are power over one's own records
 * only, and whoever acts on a user acts on those records anyway.
 *
 * The rule: the target's rank must be below the caller's. Holders of the top tier (tenant_admin)
 * may also act on their equals, or a compromised admin could only be stopped by the platform
 * operator (the last-admin rule keeps one). And the target may hold no permission over others
 * (any scope but `:self`) that the caller lacks, tier or custom role alike.
 */
export interface Standing {
  userId: string;
  rank: number;
  holdsTopTier: boolean;
  attributes: Record<string, unknown>;
  grants: readonly Grant[];
}

/** A default tier: its rank and every permission it includes (its own and the tiers' below). */
export interface Tier {
  rank: number;
  permissions: ReadonlySet<string>;
}

export type ActOnRefusal = { reason: 'target_outranks' | 'target_holds_more'; detail: string };

const overOthers = (g: Grant) => g.scope !== 'self';

function tierCovers(tier: Tier, g: Grant): boolean {
  return tier.permissions.has(g.permission) || tier.permissions.has(`${g.resource}.${g.action}:any`);
}

/** The rank of a user holding `grants` (effective, tiers included), of whom `heldTierRank` is the highest tier held (0 for none). */
export function rankOf(grants: readonly Grant[], heldTierRank: number, tiers: readonly Tier[]): number {
  const credence = grants.filter((g) => overOthers(g) && CREDENCE_RESOURCES.has(g.resource));
  if (!credence.length) return heldTierRank;
  const fitting = [...tiers].sort((a, b) => a.rank - b.rank).find((tier) => credence.every((g) => tierCovers(tier, g)));
  return Math.max(heldTierRank, fitting ? fitting.rank : Number.POSITIVE_INFINITY);
}

function attribute(attributes: Record<string, unknown>, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Whether the caller holds `g` as the target holds it. `:any` covers every scope. An attribute scope
 * is covered by the same scope only when both share the attribute (the target's `:department`
 * reaches the target's department). Whoever manages roles can give themselves any permission of the
 * tenant's own applications, so for them those count as held.
 */
function callerCovers(caller: Standing, target: Standing, g: Grant, held: ReadonlySet<string>): boolean {
  if (held.has(`${g.resource}.${g.action}:any`)) return true;
  if (!CREDENCE_RESOURCES.has(g.resource) && held.has('role.manage:any')) return true;
  if (!held.has(g.permission)) return false;
  if (!isAttributeScope(g.scope)) return true;
  const key = ATTRIBUTE_SCOPES[g.scope];
  const mine = attribute(caller.attributes, key);
  return mine !== undefined && mine === attribute(target.attributes, key);
}

/** Why `caller` may not act on `target`, or undefined when they may. Acting on oneself is not judged here. */
export function refusalToActOn(caller: Standing, target: Standing): ActOnRefusal | undefined {
  const peerAtTop = caller.holdsTopTier && target.rank === caller.rank;
  if (target.rank >= caller.rank && !peerAtTop) {
    return { reason: 'target_outranks', detail: 'The user ranks at or above you: you cannot act on them.' };
  }
  const held = new Set(caller.grants.map((g) => g.permission));
  const missing = target.grants.filter((g) => overOthers(g) && !callerCovers(caller, target, g, held)).map((g) => g.permission);
  if (missing.length) {
    return { reason: 'target_holds_more', detail: `The user holds permissions you lack (${[...new Set(missing)].join(', ')}): you cannot act on them.` };
  }
  return undefined;
}

const PROVISIONING_PREFIX = 'provisioning:';

/**
 * The caller id of a provisioning source (a SCIM directory) acting on the users it owns. The source
 * was set up by a tenant admin and only ever names users it provisioned, so no rank is compared.
 */
export function provisioningCaller(sourceId: string): string {
  return `${PROVISIONING_PREFIX}${sourceId}`;
}

export function isProvisioningCaller(callerId: string): boolean {
  return callerId.startsWith(PROVISIONING_PREFIX);
}
