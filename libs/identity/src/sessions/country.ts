/**
 * The country of a stated location: a bare ISO 3166 alpha-2 code ("DE"), or the last
 * comma-separated part ("Berlin, DE"). Upper-cased; null when nothing country-like is there.
 */
export function countryOf(location: string | null | undefined): string | null {
  if (!location) return null;
  const last = location.split(',').pop()!.trim();
  return last ? last.toUpperCase().slice(0, 64) : null;
}
