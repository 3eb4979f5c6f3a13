import { ApiProperty } from '@nestjs/swagger';

export class ErasureResponse {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ description: 'When the user was first erased (a repeated request keeps the first time)' }) erased_at: string;
  @ApiProperty({ description: 'Sessions anonymised by this request' }) sessions: number;
  @ApiProperty({ description: 'Audit rows whose personal fields this request removed' }) audit_rows: number;
}
