import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { OptionalField } from '@credence/http';

export class ListIncidentsQueryDto {
  @ApiPropertyOptional({ description: 'Only incidents of this detection rule', example: 'audit.failed_logins_per_account' })
  @OptionalField()
  @Length(1, 100)
  @Matches(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, { message: 'rule must be a rule name such as audit.failed_logins_per_ip' })
  rule?: string;

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
  @Matches(/^[A-Za-z0-9_-]{1,120}$/)
  cursor?: string;
}
