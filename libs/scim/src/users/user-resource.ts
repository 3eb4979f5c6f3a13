import { createHash } from 'node:crypto';
import { scimError } from '../scim-error';
import { ENTERPRISE_URN, USER_URN } from '../scim-schemas';
import type { AttributeTable } from '../filter/scim-filter';

/** A SCIM user as stored: the Credence user's row and the directory's link (userName, externalId, e-mails as sent). */
export interface ScimUserRow {
  id: string;
  email: string;
  display_name: string | null;
  status: 'invited' | 'active' | 'disabled';
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  user_name: string;
  external_id: string | null;
  emails: ScimEmail[];
  groups: { value: string; display: string }[];
}

export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
}

export const USER_ATTRIBUTES: AttributeTable = {
  id: { type: 'string', caseExact: true },
  externalid: { type: 'string', caseExact: true },
  username: { type: 'string' },
  displayname: { type: 'string' },
  active: { type: 'boolean' },
  title: { type: 'string' },
  usertype: { type: 'string' },
  schemas: { type: 'string' },
  name: { type: 'complex' },
  'name.givenname': { type: 'string' },
  'name.familyname': { type: 'string' },
  'name.formatted': { type: 'string' },
  emails: { type: 'complex' },
  'emails.value': { type: 'string' },
  'emails.type': { type: 'string' },
  'emails.primary': { type: 'boolean' },
  groups: { type: 'complex' },
  'groups.value': { type: 'string', caseExact: true },
  'groups.display': { type: 'string' },
  'meta.created': { type: 'dateTime' },
  'meta.lastmodified': { type: 'dateTime' },
  'meta.resourcetype': { type: 'string' },
  [`${ENTERPRISE_URN.toLowerCase()}.employeenumber`]: { type: 'string' },
  [`${ENTERPRISE_URN.toLowerCase()}.department`]: { type: 'string' },
  [`${ENTERPRISE_URN.toLowerCase()}.costcenter`]: { type: 'string' },
  [`${ENTERPRISE_URN.toLowerCase()}.organization`]: { type: 'string' },
  [`${ENTERPRISE_URN.toLowerCase()}.division`]: { type: 'string' },
  [`${ENTERPRISE_URN.toLowerCase()}.manager`]: { type: 'complex' },
  [`${ENTERPRISE_URN.toLowerCase()}.manager.value`]: { type: 'string', caseExact: true },
};

/**
 * Attributes of RFC 7643's User schema (§4.1) that Credence does not keep: a POST or PUT carrying them
 * drops them, and a PATCH on them changes nothing. Lower-cased paths.
 */
export const UNKEPT_USER_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name.middlename',
  'name.honorificprefix',
  'name.honorificsuffix',
  'nickname',
  'profileurl',
  'preferredlanguage',
  'locale',
  'timezone',
  'password',
  'phonenumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509certificates',
]);

/** SCIM attribute → the Credence user attribute it is kept in (a flat map the permission scopes can read). */
const CORE_ATTRIBUTES = { title: 'title', userType: 'user_type' } as const;
const NAME_ATTRIBUTES = { givenName: 'given_name', familyName: 'family_name' } as const;
const ENTERPRISE_ATTRIBUTES = {
  employeeNumber: 'employee_number',
  department: 'department',
  costCenter: 'cost_center',
  organization: 'organization',
  division: 'division',
} as const;
export const MAPPED_ATTRIBUTE_KEYS = [...Object.values(CORE_ATTRIBUTES), ...Object.values(NAME_ATTRIBUTES), ...Object.values(ENTERPRISE_ATTRIBUTES), 'manager_id'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function toScimUser(row: ScimUserRow, base: string): Record<string, unknown> {
  const a = row.attributes ?? {};
  const name: Record<string, string> = {};
  for (const [scim, key] of Object.entries(NAME_ATTRIBUTES)) if (str(a[key])) name[scim] = a[key] as string;
  const enterprise: Record<string, unknown> = {};
  for (const [scim, key] of Object.entries(ENTERPRISE_ATTRIBUTES)) if (str(a[key])) enterprise[scim] = a[key];
  if (str(a.manager_id)) enterprise.manager = { value: a.manager_id };
  const core: Record<string, unknown> = {};
  for (const [scim, key] of Object.entries(CORE_ATTRIBUTES)) if (str(a[key])) core[scim] = a[key];
  const emails = row.emails.length ? row.emails : [{ value: row.email, type: 'work', primary: true }];
  const resource: Record<string, unknown> = {
    schemas: Object.keys(enterprise).length ? [USER_URN, ENTERPRISE_URN] : [USER_URN],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.user_name,
    ...(row.display_name ? { displayName: row.display_name } : {}),
    ...(Object.keys(name).length ? { name } : {}),
    ...core,
    active: row.status !== 'disabled',
    emails,
    groups: row.groups.map((g) => ({ value: g.value, display: g.display, $ref: `${base}/Groups/${g.value}` })),
    ...(Object.keys(enterprise).length ? { [ENTERPRISE_URN]: enterprise } : {}),
    meta: { resourceType: 'User', created: row.created_at.toISOString(), lastModified: row.updated_at.toISOString(), location: `${base}/Users/${row.id}` },
  };
  (resource.meta as Record<string, string>).version = versionOf(resource);
  return resource;
}

/** A weak ETag over everything the client can read of the resource: any change to it changes the version. */
export function versionOf(resource: Record<string, unknown>): string {
  const { meta, ...rest } = resource as { meta: Record<string, unknown> };
  const digest = createHash('sha256')
    .update(JSON.stringify([rest, meta?.lastModified]))
    .digest('base64url')
    .slice(0, 22);
  return `W/"${digest}"`;
}

/** What a SCIM user asks Credence to store. */
export interface UserInput {
  userName: string;
  email: string;
  username: string | null;
  displayName: string | null;
  externalId: string | null;
  emails: ScimEmail[];
  active: boolean;
  /** Every mapped attribute: a value, or null when the resource does not carry it (a PUT or PATCH removes it). */
  attributes: Record<string, string | null>;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,252}\.[^\s@]{1,63}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_TEXT = 256;

function text(value: unknown, field: string, required = false): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw scimError('scim.invalid_value', `${field} is required.`);
    return null;
  }
  if (typeof value !== 'string') throw scimError('scim.invalid_value', `${field} must be a string.`);
  if (value.length > MAX_TEXT) throw scimError('scim.invalid_value', `${field} must be at most ${MAX_TEXT} characters.`);
  return value;
}

/** Entra ID sends booleans as the strings "True" and "False"; both spellings are taken. */
export function booleanValue(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw scimError('scim.invalid_value', `${field} must be true or false.`);
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw scimError('scim.invalid_value', `${field} must be an object.`);
  return value as Record<string, unknown>;
}

function emailsOf(value: unknown): ScimEmail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 10) throw scimError('scim.invalid_value', 'emails must be an array of at most 10 e-mail addresses.');
  return value.map((e, i) => {
    const o = lowerKeys(object(e, `emails[${i}]`));
    const v = text(o.value, `emails[${i}].value`, true)!;
    if (!EMAIL.test(v)) throw scimError('scim.invalid_value', `emails[${i}].value is not an e-mail address.`);
    const type = text(o.type, `emails[${i}].type`);
    return { value: v, ...(type ? { type } : {}), ...(o.primary !== undefined ? { primary: booleanValue(o.primary, `emails[${i}].primary`) } : {}) };
  });
}

/** Reads a whole SCIM user (POST, PUT, or the result of a PATCH); attribute names match case-insensitively. */
export function userInputFrom(body: unknown): UserInput {
  const r = lowerKeys(object(body, 'The body'));
  const userName = text(r.username, 'userName', true)!;
  const emails = emailsOf(r.emails);
  const primary = emails.find((e) => e.primary) ?? emails.find((e) => e.type === 'work') ?? emails[0];
  // The SCIM userName is the sign-in name: an e-mail address becomes the user's e-mail, anything else their username.
  const email = EMAIL.test(userName) ? userName : primary?.value;
  if (!email) throw scimError('scim.invalid_value', 'A userName that is not an e-mail address needs an e-mail address in emails.');
  if (!EMAIL.test(userName) && !USERNAME.test(userName)) {
    throw scimError('scim.invalid_value', 'userName must be an e-mail address, or 1-64 letters, digits or . _ - starting with a letter or digit.');
  }
  const name = lowerKeys(object(r.name, 'name'));
  const enterprise = lowerKeys(object(r[ENTERPRISE_URN.toLowerCase()], ENTERPRISE_URN));
  const attributes: Record<string, string | null> = {};
  for (const [scim, key] of Object.entries(CORE_ATTRIBUTES)) attributes[key] = text(r[scim.toLowerCase()], scim);
  for (const [scim, key] of Object.entries(NAME_ATTRIBUTES)) attributes[key] = text(name[scim.toLowerCase()], `name.${scim}`);
  for (const [scim, key] of Object.entries(ENTERPRISE_ATTRIBUTES)) attributes[key] = text(enterprise[scim.toLowerCase()], scim);
  // Entra ID adds the manager as a bare id string; RFC 7643 §4.3 has {"value": id}.
  const manager = typeof enterprise.manager === 'string' ? enterprise.manager : lowerKeys(object(enterprise.manager, 'manager')).value;
  attributes.manager_id = text(manager, 'manager.value');
  const formatted = text(name.formatted, 'name.formatted');
  const given = [attributes.given_name, attributes.family_name].filter(Boolean).join(' ');
  const displayName = text(r.displayname, 'displayName') ?? formatted ?? (given || null);
  return {
    userName,
    email,
    username: EMAIL.test(userName) ? null : userName,
    displayName: displayName?.slice(0, 200) ?? null,
    externalId: text(r.externalid, 'externalId'),
    emails,
    active: r.active === undefined || r.active === null ? true : booleanValue(r.active, 'active'),
    attributes,
  };
}

export function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.toLowerCase()] = v;
  return out;
}

/** The attributes to store on create: only those the resource carries. */
export function scimAttributes(attributes: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== null) out[k] = v;
  return out;
}
