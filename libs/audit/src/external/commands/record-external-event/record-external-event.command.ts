import type { Outcome } from '../../../trail/audit-record';

export class RecordExternalEventCommand {
  constructor(
    readonly tenantId: string,
    /** The service credential that reports it (verified by the route). */
    readonly credentialId: string,
    readonly event: {
      type: string;
      actor: string;
      subject: string;
      action: string;
      outcome: Outcome;
      details?: Record<string, unknown>;
      occurred_at: string;
    },
  ) {}
}
