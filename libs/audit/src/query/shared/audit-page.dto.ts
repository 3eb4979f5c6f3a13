import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { OptionalField } from '@credence/http';

/** Paging of the audit lists: up to 200 rows a page (audits read more than the 100 of other lists). */
export class AuditPageDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page' })
  @OptionalField()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,120}$/)
  cursor?: string;
}
