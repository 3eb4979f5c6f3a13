import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { OptionalField } from '@credence/http';
import { AuditFiltersDto } from '../shared/audit-filters.dto';

export class ListAuditEventsQueryDto extends AuditFiltersDto {
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
  @Matches(/^[A-Za-z0-9_-]{1,100}$/)
  cursor?: string;
}
