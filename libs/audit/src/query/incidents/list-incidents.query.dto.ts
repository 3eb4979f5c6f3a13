import { ApiPropertyOptional } from '@nestjs/swagger';
import { Length, Matches } from 'class-validator';
import { OptionalField } from '@credence/http';
import { AuditPageDto } from '../shared/audit-page.dto';

export class ListIncidentsQueryDto extends AuditPageDto {
  @ApiPropertyOptional({ description: 'Only incidents of this detection rule', example: 'audit.failed_logins_per_account' })
  @OptionalField()
  @Length(1, 100)
  @Matches(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, { message: 'rule must be a rule name such as audit.failed_logins_per_ip' })
  rule?: string;
}
