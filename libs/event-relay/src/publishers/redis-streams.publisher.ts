import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { OutboxEvent, RelayPublisher } from './relay-publisher';

/** The default: partitioned Redis Streams, one MULTI per partition per batch. */
export class RedisStreamsPublisher implements RelayPublisher {
  constructor(private readonly client: RedisStreamsClient) {}

  publish(events: OutboxEvent[]): Promise<void> {
    return this.client.publishBatch(events.map((e) => ({ pattern: e.type, key: e.aggregate, data: e.event })));
  }

  maintain(): Promise<void> {
    return this.client.trimByAge();
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
