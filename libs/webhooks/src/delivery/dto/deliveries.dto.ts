import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { IsStrictIsoDate, OptionalField, PageQueryDto } from '@credence/http';

export class DeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed', 'dead'] })
  @OptionalField()
  @IsIn(['pending', 'delivered', 'failed', 'dead'])
  status?: 'pending' | 'delivered' | 'failed' | 'dead';
}

export class BulkRedeliverDto {
  @ApiProperty({ example: '2026-12-01T00:00:00Z', description: 'Failed and dead deliveries created since this instant are sent again.' })
  @IsString()
  @IsStrictIsoDate()
  since: string;
}
