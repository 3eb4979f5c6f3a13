import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsIP, IsString, IsUUID, Length, Matches } from 'class-validator';
import { DomainError } from '@credence/errors';
import { IsStrictIsoDate, OptionalField } from '@credence/http';
import type { Outcome, Severity } from '../../trail/audit-record';
import type { AuditFilter } from './audit-filter-sql';

export const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'denied'];
export const SEVERITIES: readonly Severity[] = ['info', 'medium', 'high', 'critical'];
/** An event type, or a prefix ending in `.*` (`auth.*`, `auth.login.*`). */
export const TYPE_FILTER = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

/** The filters shared by the event list and the export. */
export class AuditFiltersDto {
  @ApiPropertyOptional({ description: 'RFC 3339; events that occurred at or after it', example: '2026-03-01T00:00:00Z' })
  @OptionalField()
  @IsStrictIsoDate()
  from?: string;

  @ApiPropertyOptional({ description: 'RFC 3339; events that occurred before it (exclusive)', example: '2026-04-01T00:00:00Z' })
  @OptionalField()
  @IsStrictIsoDate()
  to?: string;

  @ApiPropertyOptional({ description: 'An event type, or a prefix ending in .* (auth.*)', example: 'auth.login.failed' })
  @OptionalField()
  @Length(1, 200)
  @Matches(TYPE_FILTER, { message: 'type must be an event type or a prefix ending in .*' })
  type?: string;

  @ApiPropertyOptional({ description: 'The actor: its id, or type:id (user:<id>, service:<id>, platform-admin:<key id>, system:<job>)' })
  @OptionalField()
  @Length(1, 220)
  @Matches(/^[\x21-\x7e]+$/, { message: 'actor must be printable ASCII without spaces' })
  actor?: string;

  @ApiPropertyOptional({ description: 'The event subject, exactly (user/<id>, session/<id>, ...)' })
  @OptionalField()
  @IsString()
  @Length(1, 500)
  subject?: string;

  @ApiPropertyOptional({ description: 'Events about this user' })
  @OptionalField()
  @IsUUID()
  user_id?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @OptionalField()
  @IsIn(OUTCOMES)
  outcome?: Outcome;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @OptionalField()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ description: 'Client address, exactly. Needs audit.read_personal:any (403 authz.access.denied otherwise).' })
  @OptionalField()
  @IsIP()
  ip?: string;
}

export function filterOf(q: AuditFiltersDto): AuditFilter {
  return { from: q.from, to: q.to, type: q.type, actor: q.actor, subject: q.subject, userId: q.user_id?.toLowerCase(), outcome: q.outcome, severity: q.severity, ip: q.ip };
}

/** `from` must come before `to` when both are given. */
export function assertPeriod(q: { from?: string; to?: string }): void {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
    throw new DomainError('validation.failed', undefined, [{ field: 'to', issue: 'to must be later than from' }]);
  }
}
