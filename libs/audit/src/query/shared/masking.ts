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
