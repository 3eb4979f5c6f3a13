/**
 * Lower case as Postgres's lower() gives it, for keys that must agree with its lookups (the Redis
 * counters of one address). JavaScript's toLowerCase() also applies Unicode's special casing: 'İ'
 * becomes 'i' and a combining dot, and a final 'Σ' becomes 'ς', where Postgres gives 'i' and 'σ'.
 * Without this, 'ΟΔΥΣΣΕΥΣ' and 'οδυσσευσ', one account, would have two counters.
 */
export function simpleLowerCase(value: string): string {
  return value
    .toLowerCase()
    .replace(/i\u0307/g, 'i')
    .replace(/ς/g, 'σ');
}
