import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { RedisStreamsClient } from '@credence/redis-streams-transport';
import { EventsConfig } from '../events-config';
import { ClientProxyPublisher } from './client-proxy.publisher';
import { RedisStreamsPublisher } from './redis-streams.publisher';
import { RelayPublisher } from './relay-publisher';

/** The relay's transport, chosen by EVENTS_TRANSPORT. The relay itself is the same for all. */
export function createPublisher(config: EventsConfig, redis: { url: string; prefix: string }): RelayPublisher {
  const url = config.EVENTS_TRANSPORT_URL;
  switch (config.EVENTS_TRANSPORT) {
    case 'redis-streams':
      return new RedisStreamsPublisher(
        new RedisStreamsClient({
          url: url ?? redis.url,
          prefix: redis.prefix,
          partitions: config.EVENTS_PARTITIONS,
          maxLen: config.EVENTS_STREAM_MAX_LEN,
          maxAgeMs: config.EVENTS_STREAM_MAX_AGE_SECONDS * 1000,
        }),
      );
    case 'rmq':
      return new ClientProxyPublisher(
        ClientProxyFactory.create({ transport: Transport.RMQ, options: { urls: [url!], queue: config.EVENTS_RMQ_QUEUE, persistent: true, queueOptions: { durable: true } } }),
      );
    case 'nats':
      return new ClientProxyPublisher(ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [url!] } }));
    case 'kafka':
      return new ClientProxyPublisher(
        // The Kafka proxy is a ClientProxy underneath; the factory's type hides it.
        <ClientProxy>(
          (<unknown>(
            ClientProxyFactory.create({ transport: Transport.KAFKA, options: { client: { brokers: url!.split(',') }, producer: { idempotent: true, maxInFlightRequests: 1 } } })
          ))
        ),
        true,
      );
  }
}
