import { IntersectionType } from '@nestjs/swagger';
import { AuditFiltersDto } from '../shared/audit-filters.dto';
import { AuditPageDto } from '../shared/audit-page.dto';

export class ListAuditEventsQueryDto extends IntersectionType(AuditFiltersDto, AuditPageDto) {}
