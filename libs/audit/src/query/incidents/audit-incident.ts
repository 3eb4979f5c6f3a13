import { ApiProperty } from '@nestjs/swagger';
import { MASK, mask } from '../shared/masking';

export interface IncidentRow {
  id: string;
  rule: string;
  severity: 'medium' | 'high' | 'critical';
  key: string;
  user_id: string | null;
  ip: string | null;
  event_count: number;
  window_started_at: Date;
  detected_at: Date;
  trigger_event_id: string;
  details: Record<string, unknown>;
  position_at: string;
}

/** A security incident raised by detection. */
export class AuditIncident {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'audit.failed_logins_per_ip' }) rule: string;
  @ApiProperty({ enum: ['medium', 'high', 'critical'] }) severity: string;
  @ApiProperty({ description: 'What the rule counts by (user id, ip, session id); an ip is "***" without audit.read_personal:any' }) key: string;
  @ApiProperty({ nullable: true, type: String }) user_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: '"***" without audit.read_personal:any' }) ip: string | null;
  @ApiProperty() event_count: number;
  @ApiProperty() window_started_at: string;
  @ApiProperty() detected_at: string;
  @ApiProperty({ description: 'The audit event that completed the pattern' }) trigger_event_id: string;
  @ApiProperty({ description: 'Rule evidence; countries (derived from locations) are "***" without audit.read_personal:any' }) details: Record<string, unknown>;
}

export function toAuditIncident(r: IncidentRow, personal: boolean): AuditIncident {
  const details = { ...r.details };
  if (!personal && Array.isArray(details.countries)) details.countries = details.countries.map(() => MASK);
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    key: !personal && r.ip !== null && r.key === r.ip ? MASK : r.key,
    user_id: r.user_id,
    ip: mask(r.ip, personal),
    event_count: r.event_count,
    window_started_at: r.window_started_at.toISOString(),
    detected_at: r.detected_at.toISOString(),
    trigger_event_id: r.trigger_event_id,
    details,
  };
}
