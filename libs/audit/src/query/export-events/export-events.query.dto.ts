import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { OptionalField } from '@credence/http';
import { AuditFiltersDto } from '../shared/audit-filters.dto';
import type { ExportFormat } from './export-formats';

export class ExportAuditEventsQueryDto extends AuditFiltersDto {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson' })
  @OptionalField()
  @IsIn(['ndjson', 'csv'])
  format: ExportFormat = 'ndjson';
}
