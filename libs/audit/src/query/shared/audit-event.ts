import { ApiProperty } from '@nestjs/swagger';
import type { ActorType, Outcome, Severity, StoredRecord } from '../../trail/audit-record';
import { POSITION_AT_SQL } from './event-cursor';
import { IDENTITY_KEYS, mask, maskDetails, maskIdentity, maskSubject } from './masking';

/** An audit_log row as the read side selects it (no hashes). */
export type AuditEventRow = StoredRecord & {
  recorded_at: Date;
  /** occurred_at with microseconds, for cursors. */
  position_at: string;
};

export const AUDIT_EVENT_COLUMNS = `seq, event_id, type, occurred_at, recorded_at, source, actor_type, actor_id, subject, user_id,
  outcome, severity, ip, user_agent, location, identity, trace_id, payload, ${POSITION_AT_SQL} AS position_at`;

class AuditActor {
  @ApiProperty({ enum: ['user', 'service', 'platform_admin', 'system'] }) type: ActorType;
  @ApiProperty({ nullable: true, type: String, description: 'User id, service credential id, platform key id or job name' }) id: string | null;
}

/** One recorded event as the API shows it. */
export class AuditEvent {
  @ApiProperty({ description: "Position in the trail's hash chain (the tenant's or the platform's)" }) seq: number;
  @ApiProperty() event_id: string;
  @ApiProperty({ example: 'auth.login.failed' }) type: string;
  @ApiProperty() occurred_at: string;
  @ApiProperty({ description: 'When the trail stored it' }) recorded_at: string;
  @ApiProperty({ example: 'credence/auth' }) source: string;
  @ApiProperty({ type: AuditActor }) actor: AuditActor;
  @ApiProperty({
    example: 'user/0190f7a2-...',
    description: 'A subject that carries personal data (ip/<address>, or one with an e-mail address) is masked (ip/***) without audit.read_personal:any',
  })
  subject: string;
  @ApiProperty({ nullable: true, type: String }) user_id: string | null;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) outcome: Outcome;
  @ApiProperty({ enum: ['info', 'medium', 'high', 'critical'] }) severity: Severity;
  @ApiProperty({ nullable: true, type: String, description: '"***" without audit.read_personal:any' }) ip: string | null;
  @ApiProperty({ nullable: true, type: String, description: '"***" without audit.read_personal:any' }) user_agent: string | null;
  @ApiProperty({ nullable: true, type: String, description: '"***" without audit.read_personal:any' }) location: string | null;
  @ApiProperty({ nullable: true, type: String }) trace_id: string | null;
  @ApiProperty({ description: `The event's data; ${IDENTITY_KEYS.join(', ')} and details.countries are "***" without audit.read_personal:any` })
  data: Record<string, unknown>;
}

export function toAuditEvent(r: AuditEventRow, personal: boolean): AuditEvent {
  return {
    seq: Number(r.seq),
    event_id: r.event_id,
    type: r.type,
    occurred_at: r.occurred_at.toISOString(),
    recorded_at: r.recorded_at.toISOString(),
    source: r.source,
    actor: { type: r.actor_type, id: r.actor_id },
    subject: maskSubject(r.subject, personal),
    user_id: r.user_id,
    outcome: r.outcome,
    severity: r.severity,
    ip: mask(r.ip, personal),
    user_agent: mask(r.user_agent, personal),
    location: mask(r.location, personal),
    trace_id: r.trace_id,
    data: { ...maskDetails(r.payload, personal), ...maskIdentity(r.identity, personal) },
  };
}
