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

  constructor(private readonly client: ClientProxy) {}

  async publish(events: OutboxEvent[]): Promise<void> {
    if (!this.connected) {
      await this.client.connect();
      this.connected = true;
    }
    await Promise.all(events.map((e) => lastValueFrom(this.client.emit(e.type, JSON.parse(e.event)), { defaultValue: undefined })));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
