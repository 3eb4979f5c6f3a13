/** What a reader without `audit.read_personal:any` sees in place of a personal value. */
export const MASK = '***';

/** Keys of `data` that name a person (they come from the row's `identity`, see classify-event). */
export const IDENTITY_KEYS = ['email', 'username', 'phone', 'display_name'] as const;

/** Masks a value that is present; null (not recorded, or erased) stays null. */
export function mask<T>(value: T | null, personal: boolean): T | string | null {
  if (personal || value === null || value === undefined) return value ?? null;
  return MASK;
}

/** The identity fields as the reader may see them. */
export function maskIdentity(identity: Record<string, string> | null, personal: boolean): Record<string, string> {
  if (!identity) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(identity)) out[key] = personal ? value : MASK;
  return out;
}

/** Subject kinds whose id is itself personal data (`ip/<address>`, from security detection). */
const PERSONAL_SUBJECT_KINDS = new Set(['ip']);

/** Whether a subject carries personal data: an `ip/<address>` subject, or any subject holding an e-mail address. */
export function isPersonalSubject(subject: string): boolean {
  const slash = subject.indexOf('/');
  return (slash > 0 && PERSONAL_SUBJECT_KINDS.has(subject.slice(0, slash))) || subject.includes('@');
}

/** A subject as the reader may see it: the kind stays (`ip/***`), the personal part is masked. */
export function maskSubject(subject: string, personal: boolean): string {
  if (personal || !isPersonalSubject(subject)) return subject;
  const slash = subject.indexOf('/');
  return slash > 0 ? `${subject.slice(0, slash)}/${MASK}` : MASK;
}

/** Rule evidence derived from locations (security.violation.detected's details.countries), masked as incidents mask it. */
export function maskDetails(payload: Record<string, unknown>, personal: boolean): Record<string, unknown> {
  const details = payload.details;
  if (personal || !details || typeof details !== 'object' || !Array.isArray((details as { countries?: unknown }).countries)) return payload;
  const countries = (details as { countries: unknown[] }).countries;
  return { ...payload, details: { ...details, countries: countries.map(() => MASK) } };
}
