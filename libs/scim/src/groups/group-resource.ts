import { scimError } from '../scim-error';
import { GROUP_URN } from '../scim-schemas';
import type { AttributeTable } from '../filter/scim-filter';
import { lowerKeys } from '../users/user-resource';
import { versionOf } from '../users/user-resource';

export interface ScimGroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  members: { value: string; display: string }[];
}

export const GROUP_ATTRIBUTES: AttributeTable = {
  id: { type: 'string', caseExact: true },
  externalid: { type: 'string', caseExact: true },
  displayname: { type: 'string' },
  schemas: { type: 'string' },
  members: { type: 'complex' },
  'members.value': { type: 'string', caseExact: true },
  'members.display': { type: 'string' },
  'members.type': { type: 'string' },
  'meta.created': { type: 'dateTime' },
  'meta.lastmodified': { type: 'dateTime' },
  'meta.resourcetype': { type: 'string' },
};

export function toScimGroup(row: ScimGroupRow, base: string): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    schemas: [GROUP_URN],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    members: row.members.map((m) => ({ value: m.value, display: m.display, type: 'User', $ref: `${base}/Users/${m.value}` })),
    meta: { resourceType: 'Group', created: row.created_at.toISOString(), lastModified: row.updated_at.toISOString(), location: `${base}/Groups/${row.id}` },
  };
  (resource.meta as Record<string, string>).version = versionOf(resource);
  return resource;
}

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** Member user ids, deduplicated. */
  members: string[];
}

export const MAX_MEMBERS = 10_000;

export function groupInputFrom(body: unknown): GroupInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw scimError('scim.invalid_syntax', 'The body must be a SCIM Group object.');
  const r = lowerKeys(body as Record<string, unknown>);
  const displayName = r.displayname;
  if (typeof displayName !== 'string' || !displayName.trim() || displayName.length > 256) throw scimError('scim.invalid_value', 'displayName must be 1 to 256 characters.');
  const externalId = r.externalid;
  if (externalId !== undefined && externalId !== null && (typeof externalId !== 'string' || externalId.length > 256)) {
    throw scimError('scim.invalid_value', 'externalId must be a string of at most 256 characters.');
  }
  const members = r.members ?? [];
  if (!Array.isArray(members) || members.length > MAX_MEMBERS) throw scimError('scim.invalid_value', `members must be an array of at most ${MAX_MEMBERS} members.`);
  const ids = members.map((m, i) => {
    const v = m && typeof m === 'object' ? lowerKeys(m as Record<string, unknown>).value : undefined;
    if (typeof v !== 'string' || !v || v.length > 64) throw scimError('scim.invalid_value', `members[${i}].value must be a user id.`);
    return v;
  });
  return { displayName, externalId: (externalId as string | null | undefined) ?? null, members: [...new Set(ids)] };
}
