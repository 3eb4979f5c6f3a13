import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';

export class ResolveConflictDto {
  @ApiProperty({ enum: ['source', 'credence', 'merged'] })
  @IsIn(['source', 'credence', 'merged'])
  resolution: 'source' | 'credence' | 'merged';

  @ApiPropertyOptional({ description: 'For `merged`: `{"value": ...}`, the value to keep (checked as the field is).', example: { value: 'ada@example.com' } })
  @IsOptional()
  @IsObject()
  data?: { value?: unknown };
}
