import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { assertTrailContext, inTrail, TrailTables } from '../../trail/trail-tables';
import { ChainVerification } from './chain-verification';
import { CHAIN_COLUMNS, ChainRow, ChainWalk } from './chain-walk';
import { VerifyChainQuery } from './verify-chain.query';

/** Rows per read; each read is a short unit of work of its own, so no connection is held for the walk. */
export const VERIFY_BATCH_ROWS = 5000;

interface Start {
  head: { last_seq: number; last_hash: Buffer };
  checkpoint: { seq: number; hash: Buffer; created_at: Date } | null;
}

/**
 * Walks a trail's chain (the tenant's or the platform's) in seq order from the newest retention checkpoint (or genesis) to the
 * chain head as it was when the walk began, recomputing every hash, then checks that no row lies
 * beyond the head. Rows ingested meanwhile lie beyond that head and are left to the next walk.
 */
@QueryHandler(VerifyChainQuery)
export class VerifyChainHandler implements IQueryHandler<VerifyChainQuery, ChainVerification> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: VerifyChainQuery): Promise<ChainVerification> {
    assertTrailContext(this.runner, q.trail, q.tenantId);
    let result = await this.walk(q.trail);
    // Retention may have cut the oldest rows (and written a newer checkpoint) after the walk read the old one.
    if (result.broken?.reason === 'missing_row' && result.rows_checked === 0) {
      const again = await this.walk(q.trail);
      if (again.checkpoint?.seq !== result.checkpoint?.seq) result = again;
    }
    return result;
  }

  private async walk(trail: TrailTables): Promise<ChainVerification> {
    const start = await this.start(trail);
    const walk = new ChainWalk(start.checkpoint);
    let broken = null;
    while (!broken && walk.nextSeq <= start.head.last_seq) {
      const rows = await inTrail(this.runner, trail, (uow) =>
        uow.query<ChainRow[]>(`SELECT ${CHAIN_COLUMNS} FROM ${trail.log} WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3`, [
          walk.nextSeq,
          start.head.last_seq,
          VERIFY_BATCH_ROWS,
        ]),
      );
      broken = walk.check(rows);
      if (!rows.length) break;
    }
    broken ??= walk.finish(start.head) ?? (await this.beyondHead(trail));
    return {
      valid: !broken,
      rows_checked: walk.rowsChecked,
      first_seq: walk.firstSeq,
      last_seq: walk.lastSeq,
      checkpoint: start.checkpoint && { seq: start.checkpoint.seq, created_at: start.checkpoint.created_at.toISOString() },
      broken,
      head_seq: start.head.last_seq,
    };
  }

  /** The head and the newest checkpoint, from one snapshot. */
  private async start(trail: TrailTables): Promise<Start> {
    const [row] = await inTrail(this.runner, trail, (uow) =>
      uow.query<{ last_seq: string; last_hash: Buffer; cp_seq: string | null; cp_hash: Buffer | null; cp_created_at: Date | null }[]>(
        `SELECT h.last_seq, h.last_hash, c.seq AS cp_seq, c.hash AS cp_hash, c.created_at AS cp_created_at
           FROM ${trail.chain} h LEFT JOIN LATERAL (SELECT seq, hash, created_at FROM ${trail.checkpoints} ORDER BY seq DESC LIMIT 1) c ON true`,
      ),
    );
    return {
      head: { last_seq: Number(row.last_seq), last_hash: row.last_hash },
      checkpoint: row.cp_seq === null ? null : { seq: Number(row.cp_seq), hash: row.cp_hash!, created_at: row.cp_created_at! },
    };
  }

  /** A row stored after the head without moving it (written around the chain) is a break too. */
  private async beyondHead(trail: TrailTables): Promise<ChainVerification['broken']> {
    const [row] = await inTrail(this.runner, trail, (uow) =>
      uow.query<{ last_seq: string; seq: string | null; event_id: string | null }[]>(
        `SELECT h.last_seq, l.seq, l.event_id FROM ${trail.chain} h
           LEFT JOIN LATERAL (SELECT seq, event_id FROM ${trail.log} WHERE seq > h.last_seq ORDER BY seq LIMIT 1) l ON true`,
      ),
    );
    if (row.seq === null) return null;
    return { seq: Number(row.seq), event_id: row.event_id, reason: 'head_mismatch', detail: `Row ${row.seq} lies beyond the chain head (${row.last_seq}).` };
  }
}
