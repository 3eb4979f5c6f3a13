/**
 * A string as a Postgres literal for the simple query protocol, with exactly the output of pg's own
 * `escapeLiteral` (quotes doubled; with a backslash, backslashes doubled and the `E''` form), checked
 * against it in sql-literal.spec. pg builds its result a character at a time, 4–6 µs for the 400
 * characters of an event's envelope, which every outbox row pays on the commit path; two native
 * replaces take 0.2 µs and leave one flat string instead of a rope to flatten at the socket.
 */
export function sqlLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
