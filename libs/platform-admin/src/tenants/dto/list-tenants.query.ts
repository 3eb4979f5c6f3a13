import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { OptionalField, PageQueryDto } from '@credence/http';
import { TENANT_STATUSES, TenantStatus } from '@credence/tenancy';

export class ListTenantsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @OptionalField()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;
}
