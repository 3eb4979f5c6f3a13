import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@credence/http';
import { SESSION_STATUSES } from '../../sessions/dto/list-sessions.query';

/** GET /me/sessions: the caller's own sessions only, so no user_id. */
export class OwnSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SESSION_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(SESSION_STATUSES)
  status?: (typeof SESSION_STATUSES)[number];
}
