import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { OptionalField, PageQueryDto } from '@credence/http';

/** A Redis stream entry id, e.g. `1732560000000-0`. */
const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

export class ListDeadLettersQueryDto extends PageQueryDto {}

export class RedriveDeadLettersDto {
  @ApiPropertyOptional({ type: [String], description: 'Dead-letter ids to re-drive; all of them when left out' })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(ENTRY_ID, { each: true, message: 'each id must be a stream entry id such as 1732560000000-0' })
  ids?: string[];
}

/** An event the audit trail could not store after every retry. Its payload is not shown: it may hold personal data. */
export class AuditDeadLetter {
  @ApiProperty({ description: 'Id in the dead-letter stream (what redrive takes)' }) id: string;
  @ApiProperty() type: string;
  @ApiProperty({ nullable: true }) event_id: string | null;
  @ApiProperty({ nullable: true, description: 'Tenant id, or `platform`' }) tenant_id: string | null;
  @ApiProperty() error: string;
  @ApiProperty() attempts: number;
  @ApiProperty() failed_at: string;
}
