import type { TenantSettings } from '@credence/tenancy';
import type { ChainedRecord } from '../trail/audit-record';

export type RuleName = 'audit.failed_logins_per_account' | 'audit.failed_logins_per_ip' | 'audit.refresh_token_reuse' | 'audit.impossible_travel';

/** What a rule needs to find in the trail to fire; the detector runs the query. */
export interface CountProbe {
  kind: 'count';
  column: 'user_id' | 'ip';
  value: string;
  type: string;
  /** The event's own time: the windows tried all contain it. */
  at: string;
  threshold: number;
}

export interface TravelProbe {
  kind: 'other_country';
  userId: string;
  country: string;
  since: string;
  until: string;
}

export type Probe = CountProbe | TravelProbe | { kind: 'always' };

export interface Candidate {
  rule: RuleName;
  severity: 'medium' | 'high' | 'critical';
  /** Incidents of one rule and key within one window are raised once. */
  key: string;
  windowSeconds: number;
  userId: string | null;
  ip: string | null;
  probe: Probe;
  trigger: ChainedRecord;
}

type Thresholds = Required<
  Pick<TenantSettings, 'detect_failed_logins_per_account' | 'detect_failed_logins_per_ip' | 'detect_failed_login_window_seconds' | 'detect_travel_window_seconds'>
>;

function shift(iso: string, seconds: number): string {
  return new Date(new Date(iso).getTime() + seconds * 1000).toISOString();
}

/** The rules that may fire on one newly stored record, with the tenant's thresholds. */
export function candidatesFor(r: ChainedRecord, t: Thresholds, country: string | null): Candidate[] {
  const out: Candidate[] = [];
  const base = { trigger: r, userId: r.user_id, ip: r.ip };
  if (r.type === 'auth.login.failed') {
    const window = t.detect_failed_login_window_seconds;
    if (r.user_id) {
      out.push({
        ...base,
        rule: 'audit.failed_logins_per_account',
        severity: 'high',
        key: r.user_id,
        windowSeconds: window,
        probe: { kind: 'count', column: 'user_id', value: r.user_id, type: r.type, at: r.occurred_at, threshold: t.detect_failed_logins_per_account },
      });
    }
    if (r.ip) {
      out.push({
        ...base,
        userId: null,
        rule: 'audit.failed_logins_per_ip',
        severity: 'high',
        key: r.ip,
        windowSeconds: window,
        probe: { kind: 'count', column: 'ip', value: r.ip, type: r.type, at: r.occurred_at, threshold: t.detect_failed_logins_per_ip },
      });
    }
  }
  if (r.type === 'auth.token.reuse_detected') {
    const session = typeof r.payload.session_id === 'string' ? r.payload.session_id : r.event_id;
    out.push({ ...base, rule: 'audit.refresh_token_reuse', severity: 'critical', key: session, windowSeconds: 0, probe: { kind: 'always' } });
  }
  if (r.type === 'auth.login.succeeded' && r.user_id && country) {
    const window = t.detect_travel_window_seconds;
    out.push({
      ...base,
      rule: 'audit.impossible_travel',
      severity: 'high',
      key: r.user_id,
      windowSeconds: window,
      probe: { kind: 'other_country', userId: r.user_id, country, since: shift(r.occurred_at, -window), until: shift(r.occurred_at, window) },
    });
  }
  return out;
}
