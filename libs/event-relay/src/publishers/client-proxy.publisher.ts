import { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { OutboxEvent, RelayPublisher } from './relay-publisher';

/**
 * Any of Nest's built-in transports (RabbitMQ, NATS, Kafka) through its ClientProxy: `emit(type,
 * envelope)` per event, all sent in batch order on the client's one connection, and the batch
 * done when every emit is confirmed (RabbitMQ: publisher confirms).
 */
export class ClientProxyPublisher implements RelayPublisher {
  private connected = false;

  /** `keyed`: send `{ key: subject, value: envelope }`, which Kafka uses to keep an aggregate on one partition. */
  constructor(
    private readonly client: ClientProxy,
    private readonly keyed = false,
  ) {}

  async publish(events: OutboxEvent[]): Promise<void> {
    if (!this.connected) {
      await this.client.connect();
      this.connected = true;
    }
    await Promise.all(
      events.map((e) => {
        const envelope: unknown = JSON.parse(e.event);
        return lastValueFrom(this.client.emit(e.type, this.keyed ? { key: e.aggregate, value: envelope } : envelope), { defaultValue: undefined });
      }),
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
