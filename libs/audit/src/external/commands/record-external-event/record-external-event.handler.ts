import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { AuditWriter, TrailNotReady } from '../../../ingest/audit-writer';
import { AuditRecord } from '../../../trail/audit-record';
import { ExternalEventResponse } from '../../dto/external-event.response';
import { externalSource, externalType } from '../../external-source';
import { RecordExternalEventCommand } from './record-external-event.command';

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * Appends a service's event to the tenant's trail through the AuditWriter, so it is chained like
 * every other row. What the service asserts (who acted, what, details) is kept in the payload; the
 * columns readers filter and trust say what Credence verified: a service credential wrote it.
 */
@CommandHandler(RecordExternalEventCommand)
export class RecordExternalEventHandler implements ICommandHandler<RecordExternalEventCommand, ExternalEventResponse> {
  constructor(
    private readonly writer: AuditWriter,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
  ) {}

  async execute(cmd: RecordExternalEventCommand): Promise<ExternalEventResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const e = cmd.event;
    const traceId = this.context.traceId;
    const record: AuditRecord = {
      event_id: uuidv7(),
      type: externalType(e.type),
      occurred_at: new Date(e.occurred_at).toISOString(),
      source: externalSource(cmd.credentialId),
      actor_type: 'service',
      actor_id: cmd.credentialId,
      subject: e.subject,
      // The trail's user_id means "the account Credence knows this is about"; a service's claim is not that.
      user_id: null,
      outcome: e.outcome,
      severity: 'info',
      trace_id: TRACE_ID.test(traceId) ? traceId : null,
      payload: { action: e.action, actor: e.actor, ...(e.details ? { details: e.details } : {}) },
      ip: null,
      user_agent: null,
      location: null,
      identity: null,
    };
    try {
      await this.writer.write(tenant.id, [record]);
    } catch (err) {
      if (err instanceof TrailNotReady) throw new DomainError('service.unavailable', 'The audit trail is not ready; retry later.');
      throw err;
    }
    return { event_id: record.event_id, type: record.type, source: record.source, occurred_at: record.occurred_at };
  }
}
