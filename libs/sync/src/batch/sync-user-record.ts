import { createHash } from 'node:crypto';
import { isEmail } from 'class-validator';
import { attributeMapProblem, USERNAME_PATTERN } from '@credence/identity';
import { strictIsoInstant } from '@credence/http';

/** One user as a source sends it, checked and normalised: what a run stores and applies. */
export interface SyncUserRecord {
  external_id: string;
  username: string;
  email: string;
  status: 'active' | 'inactive' | 'suspended';
  given_name: string | null;
  family_name: string | null;
  attributes: Record<string, unknown>;
  groups: string[];
  /** ISO instant, or null when the source sent none. */
  updated_at: string | null;
}

/** A record refused before processing; `external_id` is what the source sent, cut to 256 characters. */
export interface RecordError {
  external_id: string | null;
  code: 'validation.failed' | 'sync.duplicate_external_id';
  message: string;
}

const EXTERNAL_ID = /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]{0,255}$/u;
const FIELDS = new Set(['external_id', 'username', 'email', 'status', 'given_name', 'family_name', 'attributes', 'groups', 'updated_at']);
const STATUSES = new Set(['active', 'inactive', 'suspended']);
const MAX_NAME = 100;
const MAX_GROUPS = 200;
const MAX_GROUP = 256;

const optionalName = (v: unknown, field: string): string | null | { problem: string } => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > MAX_NAME) return { problem: `${field} must be a string of 1-${MAX_NAME} characters` };
  return v.trim();
};

/** Checks one element of `users`; answers the record or why it is refused (never echoing a huge value). */
export function checkRecord(raw: unknown): SyncUserRecord | RecordError {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { external_id: null, code: 'validation.failed', message: 'each user must be a JSON object' };
  const r = raw as Record<string, unknown>;
  const id = typeof r.external_id === 'string' ? r.external_id : null;
  const fail = (message: string): RecordError => ({ external_id: id === null ? null : id.slice(0, 256), code: 'validation.failed', message });
  if (id === null || !EXTERNAL_ID.test(id)) return fail('external_id must be 1-256 printable characters, not starting with a space');
  const unknown = Object.keys(r).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) return fail(`unknown field ${JSON.stringify(unknown.slice(0, 64))}`);
  if (typeof r.username !== 'string' || !USERNAME_PATTERN.test(r.username.trim())) {
    return fail('username must be 1-64 letters, digits or . _ -, starting with a letter or digit');
  }
  const email = typeof r.email === 'string' ? r.email.trim() : '';
  if (email.length > 254 || !isEmail(email, { allow_display_name: false, allow_ip_domain: false })) return fail('email must be an e-mail address');
  if (typeof r.status !== 'string' || !STATUSES.has(r.status)) return fail('status must be one of active, inactive, suspended');
  const given = optionalName(r.given_name, 'given_name');
  if (given && typeof given === 'object') return fail(given.problem);
  const family = optionalName(r.family_name, 'family_name');
  if (family && typeof family === 'object') return fail(family.problem);
  const attributes = r.attributes ?? {};
  const attributesProblem = attributeMapProblem(attributes);
  if (attributesProblem) return fail(`attributes ${attributesProblem}`);
  if ('given_name' in (attributes as object) || 'family_name' in (attributes as object)) return fail('attributes must not hold given_name or family_name: send them as fields');
  const groups = r.groups ?? [];
  if (!Array.isArray(groups) || groups.length > MAX_GROUPS || groups.some((g) => typeof g !== 'string' || g.length === 0 || g.length > MAX_GROUP)) {
    return fail(`groups must be an array of at most ${MAX_GROUPS} strings of 1-${MAX_GROUP} characters`);
  }
  let updatedAt: string | null = null;
  if (r.updated_at !== undefined && r.updated_at !== null) {
    const instant = strictIsoInstant(r.updated_at);
    if (instant === null) return fail('updated_at must be an RFC 3339 date-time naming a real instant');
    updatedAt = new Date(instant).toISOString();
  }
  return {
    external_id: id,
    username: r.username.trim(),
    email,
    status: r.status as SyncUserRecord['status'],
    given_name: given as string | null,
    family_name: family as string | null,
    attributes: attributes as Record<string, unknown>,
    groups: [...new Set(groups as string[])].sort(),
    updated_at: updatedAt,
  };
}

export const isRecordError = (r: SyncUserRecord | RecordError): r is RecordError => 'code' in r;

/**
 * Checks a whole batch. An external_id sent twice refuses every record that has it (which one the
 * source meant is unknown), so none of them changes anything.
 */
export function checkBatch(users: unknown[]): { records: SyncUserRecord[]; errors: RecordError[]; seen: string[] } {
  const checked = users.map(checkRecord);
  const count = new Map<string, number>();
  for (const raw of users) {
    const id = raw && typeof raw === 'object' ? (raw as { external_id?: unknown }).external_id : undefined;
    if (typeof id === 'string') count.set(id, (count.get(id) ?? 0) + 1);
  }
  const records: SyncUserRecord[] = [];
  const errors: RecordError[] = [];
  for (const c of checked) {
    if (isRecordError(c)) errors.push(c);
    else if ((count.get(c.external_id) ?? 0) > 1) {
      errors.push({ external_id: c.external_id, code: 'sync.duplicate_external_id', message: 'the batch names this external_id more than once' });
    } else records.push(c);
  }
  // Every id the source named counts as present for a full run, refused or not: a bad record never disables its user.
  const seen = [...count.keys()].filter((id) => id.length <= 256);
  return { records, errors, seen };
}

/** What Credence stores for a record: the user fields a source controls. */
export interface AppliedValues {
  email: string;
  username: string;
  display_name: string | null;
  status: 'active' | 'disabled';
  attributes: Record<string, unknown>;
}

export const SYNCED_FIELDS = ['email', 'username', 'display_name', 'status', 'attributes'] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];

export function appliedValues(r: SyncUserRecord): AppliedValues {
  const attributes: Record<string, unknown> = { ...r.attributes };
  if (r.given_name) attributes.given_name = r.given_name;
  if (r.family_name) attributes.family_name = r.family_name;
  const name = [r.given_name, r.family_name].filter(Boolean).join(' ');
  return {
    email: r.email,
    username: r.username,
    display_name: name ? name.slice(0, 200) : null,
    status: r.status === 'active' ? 'active' : 'disabled',
    attributes,
  };
}

/** Stable JSON (sorted keys) so equal content always hashes equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const contentHash = (r: SyncUserRecord): string => createHash('sha256').update(canonical(r)).digest('base64url');
