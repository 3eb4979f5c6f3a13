import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

export class PutSourceDto {
  @ApiProperty({ enum: ['source_wins', 'timestamp', 'manual'] })
  @IsIn(['source_wins', 'timestamp', 'manual'])
  conflict_strategy: 'source_wins' | 'timestamp' | 'manual';

  @ApiPropertyOptional({ default: 5000, minimum: 0, maximum: 86_400_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  timestamp_tolerance_ms?: number;

  @ApiPropertyOptional({ default: 0.2, minimum: 0, maximum: 1, description: 'The largest share of the source’s enabled users a full run may disable without force.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 })
  @Min(0)
  @Max(1)
  max_disable_share?: number;
}
