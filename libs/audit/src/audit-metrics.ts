import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { Metrics } from '@credence/observability';

/** The audit app's series on the process's /metrics. Queue depth is added by the retention workers. */
@Injectable()
export class AuditMetrics {
  readonly ingested: Counter<'result'>;
  readonly ingestSeconds: Histogram;
  readonly incidents: Counter<'rule'>;
  readonly jobSeconds: Histogram<'job'>;
  readonly jobFailures: Counter<'job'>;
  readonly retentionRows: Counter<'rule'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.ingested = new Counter({
      name: 'credence_audit_events_total',
      help: 'Events offered to the audit trail: stored, duplicate (redelivered) or dropped (tenant gone)',
      labelNames: ['result'],
      registers,
    });
    this.ingestSeconds = new Histogram({
      name: 'credence_audit_ingest_seconds',
      help: 'From delivery of an event to the commit of its audit record (group commit included)',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.incidents = new Counter({ name: 'credence_security_incidents_total', help: 'Incidents raised by security detection', labelNames: ['rule'], registers });
    this.jobSeconds = new Histogram({
      name: 'credence_job_duration_seconds',
      help: 'BullMQ job durations',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    this.jobFailures = new Counter({ name: 'credence_job_failures_total', help: 'BullMQ jobs that failed (each attempt)', labelNames: ['job'], registers });
    this.retentionRows = new Counter({ name: 'credence_retention_rows_total', help: 'Rows changed by retention, by rule', labelNames: ['rule'], registers });
  }
}
