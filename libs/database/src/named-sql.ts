/**
 * A statement Postgres parses and plans once per pooled connection instead of on every call: node-postgres
 * prepares it under `name` the first time a connection runs it and afterwards sends only Bind/Execute.
 * For the hot path's fixed statements only (a text built per call would leave a prepared statement behind
 * for each variant on every connection). Safe across tenants: Postgres re-analyses a cached statement when
 * the transaction's search_path differs from the one it was planned under, and checks privileges (the
 * tenant role) on every execution.
 */
export interface NamedSql {
  readonly name: string;
  readonly text: string;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const taken = new Map<string, string>();

/** Declares a named statement; a name is for one text only (node-postgres refuses a second text under it). */
export function namedSql(name: string, text: string): NamedSql {
  if (!NAME.test(name)) throw new Error(`bad statement name ${JSON.stringify(name)}`);
  const previous = taken.get(name);
  if (previous !== undefined && previous !== text) throw new Error(`statement name ${name} is already declared with another text`);
  taken.set(name, text);
  return Object.freeze({ name, text });
}
