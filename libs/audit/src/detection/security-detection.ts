import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { TenantRegistry, UnitOfWork } from '@credence/tenancy';
import { AuditMetrics } from '../audit-metrics';
import type { ChainedRecord } from '../trail/audit-record';
import { countryOf } from './country';
import { Candidate, candidatesFor, CountProbe, TravelProbe } from './detection-rules';
import { latestIncidents, runCountProbes, runTravelProbes } from './probes';

const RELEVANT = new Set(['auth.login.failed', 'auth.token.reuse_detected', 'auth.login.succeeded']);

/**
 * Security rules evaluated as records are appended, in the same transaction: an incident row and
 * its `security.violation.detected` event commit together with the records that caused them.
 * A (rule, key) pair is raised at most once per window.
 */
@Injectable()
export class SecurityDetection {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly metrics: AuditMetrics,
  ) {}

  async evaluate(uow: UnitOfWork, tenant: TenantRef, rows: ChainedRecord[]): Promise<void> {
    const relevant = rows.filter((r) => RELEVANT.has(r.type));
    if (!relevant.length) return;
    const settings = await this.registry.settings(tenant);
    const candidates = relevant.flatMap((r) => candidatesFor(r, settings, countryOf(r.location)));
    if (!candidates.length) return;

    const evidence = await this.probeAll(uow, candidates);
    const firing = candidates.filter((_, i) => evidence[i]);
    if (!firing.length) return;
    const latest = await latestIncidents(uow, firing);
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i];
      const found = evidence[i];
      if (!found) continue;
      const id = `${c.rule}\u0000${c.key}`;
      const at = new Date(c.trigger.occurred_at).getTime();
      const previous = latest.get(id);
      if (previous !== undefined && previous > at - Math.max(c.windowSeconds, 1) * 1000) continue;
      await this.raise(uow, c, found);
      latest.set(id, at);
    }
  }

  /** Evidence per candidate (same order), or null where its rule does not hold. */
  private async probeAll(uow: UnitOfWork, candidates: Candidate[]): Promise<(Record<string, unknown> | null)[]> {
    const out: (Record<string, unknown> | null)[] = candidates.map(() => null);
    const byUser: number[] = [];
    const byIp: number[] = [];
    const travel: number[] = [];
    candidates.forEach((c, i) => {
      if (c.probe.kind === 'always') out[i] = { session_id: c.key };
      else if (c.probe.kind === 'other_country') travel.push(i);
      else (c.probe.column === 'user_id' ? byUser : byIp).push(i);
    });
    for (const [column, indexes] of [
      ['user_id', byUser],
      ['ip', byIp],
    ] as const) {
      if (!indexes.length) continue;
      const counts = await runCountProbes(
        uow,
        column,
        candidates[indexes[0]].windowSeconds,
        indexes.map((i) => candidates[i].probe as CountProbe),
      );
      indexes.forEach((ci, k) => {
        const p = candidates[ci].probe as CountProbe;
        const { n, accounts } = counts[k];
        if (n >= p.threshold) out[ci] = { failures: n, threshold: p.threshold, window_seconds: candidates[ci].windowSeconds, ...(column === 'ip' ? { accounts } : {}) };
      });
    }
    const others = await runTravelProbes(
      uow,
      travel.map((i) => candidates[i].probe as TravelProbe),
    );
    travel.forEach((ci, k) => {
      const other = others[k];
      const p = candidates[ci].probe as TravelProbe;
      if (other)
        out[ci] = { countries: [countryOf(other.location), p.country], previous_login_at: other.occurred_at.toISOString(), window_seconds: candidates[ci].windowSeconds };
    });
    return out;
  }

  private async raise(uow: UnitOfWork, c: Candidate, details: Record<string, unknown>): Promise<void> {
    const count = typeof details.failures === 'number' ? details.failures : 1;
    await uow.query(
      `INSERT INTO audit_incidents (id, rule, severity, key, user_id, ip, event_count, window_started_at, detected_at, trigger_event_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz - make_interval(secs => $9), $8, $10, $11)
       ON CONFLICT (rule, trigger_event_id) DO NOTHING`,
      [uuidv7(), c.rule, c.severity, c.key, c.userId, c.ip, count, c.trigger.occurred_at, c.windowSeconds, c.trigger.event_id, JSON.stringify(details)],
    );
    const aggregate = c.userId ? subjects.user(c.userId) : subjects.ip(c.ip);
    uow.emit('security.violation.detected', aggregate, {
      rule: c.rule,
      severity: c.severity,
      user_id: c.userId,
      ip: c.ip,
      details: { ...details, trigger_event_id: c.trigger.event_id },
    });
    this.metrics.incidents.inc({ rule: c.rule });
  }
}
