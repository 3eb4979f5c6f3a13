import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsStrictIsoDate, OptionalField } from '@credence/http';

export class AuditReportQueryDto {
  @ApiPropertyOptional({ description: 'RFC 3339, inclusive; absent: from the oldest row kept', example: '2026-03-01T00:00:00Z' })
  @OptionalField()
  @IsStrictIsoDate()
  from?: string;

  @ApiPropertyOptional({ description: 'RFC 3339, exclusive; absent: up to now', example: '2026-04-01T00:00:00Z' })
  @OptionalField()
  @IsStrictIsoDate()
  to?: string;
}
