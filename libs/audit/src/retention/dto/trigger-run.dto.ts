import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsUUID } from 'class-validator';
import { IsStrictIsoDate, OptionalField } from '@credence/http';

/** POST /v1/admin/retention/runs. Every field is optional: `{}` starts a full run now. */
export class TriggerRunDto {
  @ApiPropertyOptional({ example: '2025-06-01T12:00:00Z', description: 'The instant the cutoffs are measured from; defaults to now, never in the future.' })
  @OptionalField()
  @IsStrictIsoDate()
  as_of?: string;

  @ApiPropertyOptional({ type: [String], description: 'Only these tenants (ids). Without it, every active, suspended and offboarding tenant.' })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  tenant_ids?: string[];

  @ApiPropertyOptional({ description: "Include the platform's part (outbox, event store). Defaults to true without tenant_ids, false with them." })
  @OptionalField()
  @IsBoolean()
  platform?: boolean;
}
