import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '@credence/http';

export const SESSION_STATUSES = ['active', 'revoked', 'expired', 'locked'] as const;

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "Only this user's sessions (needs session.read:any or :department for others)" })
  @IsOptional()
  @IsUUID()
  user_id?: string;

  @ApiPropertyOptional({ enum: SESSION_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(SESSION_STATUSES)
  status?: (typeof SESSION_STATUSES)[number];
}

export interface SessionRow {
  id: string;
  user_id: string;
  auth_method: string;
  ip: string | null;
  user_agent: string | null;
  device_type: string | null;
  location: string | null;
  status: string;
  created_at: Date;
  last_seen_at: Date;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

export function toSessionResponse(r: SessionRow, currentSessionId: string) {
  return {
    id: r.id,
    user_id: r.user_id,
    auth_method: r.auth_method,
    ip: r.ip,
    user_agent: r.user_agent,
    device_type: r.device_type,
    location: r.location,
    status: r.status,
    current: r.id === currentSessionId,
    created_at: r.created_at.toISOString(),
    last_seen_at: r.last_seen_at.toISOString(),
    idle_expires_at: r.idle_expires_at.toISOString(),
    absolute_expires_at: r.absolute_expires_at.toISOString(),
    revoked_at: r.revoked_at?.toISOString() ?? null,
    revoked_reason: r.revoked_reason,
  };
}

/** A session still marked active whose idle or absolute deadline has passed is over: it is listed as expired. */
const PAST_DEADLINE = `(s.idle_expires_at <= now() OR s.absolute_expires_at <= now())`;

export const SESSION_COLUMNS = `s.id, s.user_id, s.auth_method, s.ip, s.user_agent, s.device_type, s.location,
  CASE WHEN s.status = 'active' AND ${PAST_DEADLINE} THEN 'expired' ELSE s.status END AS status, s.created_at,
  s.last_seen_at, s.idle_expires_at, s.absolute_expires_at, s.revoked_at, s.revoked_reason`;

/** The condition for sessions whose status, as listed, is `$n`; each branch keeps the (user_id, status, id) index usable. */
export function statusCondition(status: (typeof SESSION_STATUSES)[number]): string {
  if (status === 'active') return `s.status = 'active' AND NOT ${PAST_DEADLINE}`;
  if (status === 'expired') return `(s.status = 'expired' OR (s.status = 'active' AND ${PAST_DEADLINE}))`;
  return `s.status = '${status}'`;
}
