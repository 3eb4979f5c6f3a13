export type ActorType = 'user' | 'service' | 'platform_admin' | 'system';
export type Outcome = 'success' | 'failure' | 'denied';
export type Severity = 'info' | 'medium' | 'high' | 'critical';

/** Fields of the payload that identify a person; kept out of `payload` so erasure can remove them without breaking the chain. */
export interface PersonalFields {
  ip: string | null;
  user_agent: string | null;
  location: string | null;
  /** e-mail, username, phone, display name when the event carried them. */
  identity: Record<string, string> | null;
}

/** One audit row before the chain gives it a position and hash. */
export interface AuditRecord extends PersonalFields {
  event_id: string;
  type: string;
  /** ISO 8601 with milliseconds, UTC: exactly what toISOString() gives back when the row is read. */
  occurred_at: string;
  source: string;
  actor_type: ActorType;
  actor_id: string | null;
  subject: string;
  user_id: string | null;
  outcome: Outcome;
  severity: Severity;
  trace_id: string | null;
  payload: Record<string, unknown>;
}

/** A record with its place in the chain, as stored. */
export interface ChainedRecord extends AuditRecord {
  seq: number;
  personal_digest: Buffer;
  hash: Buffer;
}

/** An audit_log row as node-postgres returns it: `seq` (bigint) as a string, times as Dates. */
export type StoredRecord = Omit<AuditRecord, 'occurred_at'> & {
  seq: string;
  occurred_at: Date;
};
