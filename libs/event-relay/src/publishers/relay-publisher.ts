/** A row of platform.outbox as the relay hands it to a transport; `event` is the envelope as JSON text. */
export interface OutboxEvent {
  position: string;
  tenantId: string;
  aggregate: string;
  type: string;
  event: string;
}

/**
 * Where the relay sends events. `publish` resolves only once the transport has durably accepted
 * every event of the batch, and must keep the batch's order for events of one aggregate.
 */
export interface RelayPublisher {
  publish(events: OutboxEvent[]): Promise<void>;
  /** Periodic upkeep of the transport (trimming), run by the leader. */
  maintain?(): Promise<void>;
  close(): Promise<void>;
}
