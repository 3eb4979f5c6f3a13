import { ApiProperty } from '@nestjs/swagger';
import type { BreakReason } from './chain-walk';

class VerifiedCheckpoint {
  @ApiProperty() seq: number;
  @ApiProperty() created_at: string;
}

class ChainBreakResponse {
  @ApiProperty() seq: number;
  @ApiProperty({ nullable: true, type: String }) event_id: string | null;
  @ApiProperty({ enum: ['hash_mismatch', 'missing_row', 'head_mismatch', 'personal_fields_changed'] }) reason: BreakReason;
  @ApiProperty() detail: string;
}

export class ChainVerification {
  @ApiProperty() valid: boolean;
  @ApiProperty({ description: 'Rows read and checked (up to and including a broken one)' }) rows_checked: number;
  @ApiProperty({ nullable: true, type: Number }) first_seq: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The last row that verified' }) last_seq: number | null;
  @ApiProperty({ type: VerifiedCheckpoint, nullable: true, description: 'The retention checkpoint the walk started from; null: from the genesis hash' })
  checkpoint: VerifiedCheckpoint | null;
  @ApiProperty({ type: ChainBreakResponse, nullable: true, description: 'The first broken link' }) broken: ChainBreakResponse | null;
  @ApiProperty({ description: 'The chain head (audit_chain) the walk was compared with' }) head_seq: number;
}
