import type { StoredRecord } from '../../trail/audit-record';
import { GENESIS_HASH, personalDigest, rowHash } from '../../trail/chain';

/** An audit_log row with what its hash covers. */
export type ChainRow = StoredRecord & {
  personal_digest: Buffer;
  hash: Buffer;
  erased_at: Date | null;
};

export const CHAIN_COLUMNS = `seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, user_id, outcome, severity,
  ip, user_agent, location, identity, trace_id, payload, personal_digest, hash, erased_at`;

export type BreakReason = 'hash_mismatch' | 'missing_row' | 'head_mismatch' | 'personal_fields_changed';

export interface ChainBreak {
  /** The first position that does not verify (for missing_row: the position that is absent). */
  seq: number;
  event_id: string | null;
  reason: BreakReason;
  detail: string;
}

const isBlank = (row: ChainRow) => row.ip === null && row.user_agent === null && row.location === null && row.identity === null;

/**
 * Checks rows in seq order, one batch at a time, keeping only the previous hash: from a checkpoint (or
 * the genesis hash) every seq must follow the previous one, a row not erased must still match its
 * personal digest (an erased one must hold none of them), and every row's hash must be SHA-256(previous
 * hash, row, digest).
 */
export class ChainWalk {
  rowsChecked = 0;
  firstSeq: number | null = null;
  lastSeq: number | null = null;
  private expected: number;
  private previous: Buffer;

  constructor(start: { seq: number; hash: Buffer } | null) {
    this.expected = (start?.seq ?? 0) + 1;
    this.previous = start?.hash ?? GENESIS_HASH;
  }

  /** The hash of the last verified row (or the start), for the head comparison. */
  get lastHash(): Buffer {
    return this.previous;
  }

  /** The position the next row must have. */
  get nextSeq(): number {
    return this.expected;
  }

  /** Checks the next rows; returns the first break, or null when they all verify. */
  check(rows: ChainRow[]): ChainBreak | null {
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== this.expected) {
        return { seq: this.expected, event_id: null, reason: 'missing_row', detail: `Row ${this.expected} is missing; the next row kept is ${seq}.` };
      }
      this.rowsChecked += 1;
      this.firstSeq ??= seq;
      // Erasure blanks all four fields at once: an erased row that still holds one was written after it.
      const intact = row.erased_at ? isBlank(row) : personalDigest(row).equals(row.personal_digest);
      if (!intact) {
        const detail = row.erased_at
          ? 'The row is marked erased but holds an ip, user agent, location or identity.'
          : 'ip, user agent, location or identity differ from what the row was chained with.';
        return { seq, event_id: row.event_id, reason: 'personal_fields_changed', detail };
      }
      const hash = rowHash(this.previous, seq, { ...row, occurred_at: row.occurred_at.toISOString() }, row.personal_digest);
      if (!hash.equals(row.hash)) {
        return { seq, event_id: row.event_id, reason: 'hash_mismatch', detail: 'The row or the link to the row before it was changed.' };
      }
      this.previous = row.hash;
      this.lastSeq = seq;
      this.expected = seq + 1;
    }
    return null;
  }

  /** Compares the end of the walk with the chain head (audit_chain): rows removed from the end show here. */
  finish(head: { last_seq: number; last_hash: Buffer }): ChainBreak | null {
    const reached = this.expected - 1;
    if (head.last_seq > reached) {
      return {
        seq: reached + 1,
        event_id: null,
        reason: 'head_mismatch',
        detail: `The chain head is at ${head.last_seq} but the last row is ${reached}: rows at the end were removed.`,
      };
    }
    if (head.last_seq === reached && !head.last_hash.equals(this.previous)) {
      return { seq: reached, event_id: null, reason: 'head_mismatch', detail: "The last row's hash differs from the chain head's." };
    }
    return null;
  }
}
