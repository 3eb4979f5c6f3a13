import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, Matches } from 'class-validator';
import { OptionalField, PageQueryDto } from '@credence/http';

const TENANT_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|platform)$/;

export class ListRunsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'A tenant id, or `platform` for the platform part' })
  @OptionalField()
  @Matches(TENANT_ID, { message: 'tenant_id must be a tenant id or platform' })
  tenant_id?: string;

  @ApiPropertyOptional({ example: '20250601T120000000Z-s' })
  @OptionalField()
  @Matches(/^[0-9A-Za-z-]{1,64}$/)
  run_id?: string;

  @ApiPropertyOptional({ enum: ['running', 'completed', 'failed'] })
  @OptionalField()
  @IsIn(['running', 'completed', 'failed'])
  status?: 'running' | 'completed' | 'failed';

  @ApiPropertyOptional({ description: 'Only the newest run of each tenant (and of the platform)' })
  @OptionalField()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  latest?: boolean;
}
