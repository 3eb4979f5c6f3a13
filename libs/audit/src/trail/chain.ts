import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { AuditRecord, ChainedRecord, PersonalFields } from './audit-record';

/** The hash before the first row of a chain. */
export const GENESIS_HASH = Buffer.alloc(32);

/** Commits to the personal fields: erasure may blank them later, the digest keeps the row's hash valid. */
export function personalDigest(p: PersonalFields): Buffer {
  return createHash('sha256')
    .update(canonicalJson([p.ip, p.user_agent, p.location, p.identity]))
    .digest();
}

/**
 * hash(n) = SHA-256(hash(n-1) || canonical JSON of the row's non-personal fields || personal digest).
 * Changing, inserting or removing any row changes every hash after it.
 */
export function rowHash(previous: Buffer, seq: number, r: Omit<AuditRecord, keyof PersonalFields>, digest: Buffer): Buffer {
  const body = canonicalJson([seq, r.event_id, r.type, r.occurred_at, r.source, r.actor_type, r.actor_id, r.subject, r.user_id, r.outcome, r.severity, r.trace_id, r.payload]);
  return createHash('sha256').update(previous).update(body).update(digest).digest();
}

/** Gives records consecutive positions after (lastSeq, lastHash). */
export function chain(records: AuditRecord[], lastSeq: number, lastHash: Buffer): ChainedRecord[] {
  let seq = lastSeq;
  let previous = lastHash;
  return records.map((r) => {
    seq += 1;
    const digest = personalDigest(r);
    const hash = rowHash(previous, seq, r, digest);
    previous = hash;
    return { ...r, seq, personal_digest: digest, hash };
  });
}
