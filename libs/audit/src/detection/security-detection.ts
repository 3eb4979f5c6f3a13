import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { TenantRef } from '@credence/context';
import { TenantRegistry, UnitOfWork } from '@credence/tenancy';
import { AuditMetrics } from '../audit-metrics';
import type { ChainedRecord } from '../trail/audit-record';
import { countryOf } from './country';
import { Candidate, candidatesFor } from './detection-rules';

/**
 * Security rules evaluated as records are appended, in the same transaction: an incident row and
 * its `security.violation.detected` event commit together with the records that caused them.
 */
@Injectable()
export class SecurityDetection {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly metrics: AuditMetrics,
  ) {}

  async evaluate(uow: UnitOfWork, tenant: TenantRef, rows: ChainedRecord[]): Promise<void> {
    const relevant = rows.filter((r) => r.type === 'auth.login.failed' || r.type === 'auth.token.reuse_detected' || (r.type === 'auth.login.succeeded' && r.location));
    if (!relevant.length) return;
    const settings = await this.registry.settings(tenant);
    for (const r of relevant) {
      for (const c of candidatesFor(r, settings, countryOf(r.location))) {
        const evidence = await this.probe(uow, c);
        if (evidence && !(await this.alreadyRaised(uow, c))) await this.raise(uow, c, evidence);
      }
    }
  }

  /** The rule's evidence when it holds, else null. */
  private async probe(uow: UnitOfWork, c: Candidate): Promise<Record<string, unknown> | null> {
    const p = c.probe;
    if (p.kind === 'always') return { session_id: c.key };
    if (p.kind === 'count') {
      const [row] = await uow.query<{ n: string; accounts: string }[]>(
        `SELECT count(*) AS n, count(DISTINCT user_id) AS accounts FROM audit_log
          WHERE ${p.column} = $1 AND type = $2 AND occurred_at > $3 AND occurred_at <= $4`,
        [p.value, p.type, p.since, p.until],
      );
      const n = Number(row.n);
      if (n < p.threshold) return null;
      return { failures: n, threshold: p.threshold, window_seconds: c.windowSeconds, ...(p.column === 'ip' ? { accounts: Number(row.accounts) } : {}) };
    }
    const others = await uow.query<{ location: string; occurred_at: Date; event_id: string }[]>(
      `SELECT location, occurred_at, event_id FROM audit_log
        WHERE user_id = $1 AND type = 'auth.login.succeeded' AND location IS NOT NULL AND occurred_at >= $2 AND occurred_at <= $3
        ORDER BY occurred_at DESC LIMIT 50`,
      [p.userId, p.since, p.until],
    );
    const other = others.find((o) => countryOf(o.location) && countryOf(o.location) !== p.country);
    if (!other) return null;
    return { countries: [countryOf(other.location), p.country], previous_login_at: other.occurred_at.toISOString(), window_seconds: c.windowSeconds };
  }

  private async alreadyRaised(uow: UnitOfWork, c: Candidate): Promise<boolean> {
    const rows = await uow.query<unknown[]>(
      `SELECT 1 FROM audit_incidents WHERE rule = $1 AND key = $2 AND detected_at > $3::timestamptz - make_interval(secs => $4) LIMIT 1`,
      [c.rule, c.key, c.trigger.occurred_at, Math.max(c.windowSeconds, 1)],
    );
    return rows.length > 0;
  }

  private async raise(uow: UnitOfWork, c: Candidate, details: Record<string, unknown>): Promise<void> {
    const count = typeof details.failures === 'number' ? details.failures : 1;
    await uow.query(
      `INSERT INTO audit_incidents (id, rule, severity, key, user_id, ip, event_count, window_started_at, detected_at, trigger_event_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz - make_interval(secs => $9), $8, $10, $11)
       ON CONFLICT (rule, trigger_event_id) DO NOTHING`,
      [uuidv7(), c.rule, c.severity, c.key, c.userId, c.ip, count, c.trigger.occurred_at, c.windowSeconds, c.trigger.event_id, JSON.stringify(details)],
    );
    const aggregate = c.userId ? `user/${c.userId}` : `ip/${c.ip ?? 'unknown'}`;
    uow.emit('security.violation.detected', aggregate, { rule: c.rule, severity: c.severity, user_id: c.userId, ip: c.ip, details: { ...details, trigger_event_id: c.trigger.event_id } });
    this.metrics.incidents.inc({ rule: c.rule });
  }
}
