import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { KeepHandlerErrors, RedisStreamsServer } from '@credence/consumer-kit';
import { ConsumerModule } from './consumer.module';
import { settings } from './settings';

/** `npm run example:consumer`: logs user.created and auth.session.revoked from a running Credence. */
async function main() {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ConsumerModule, {
    strategy: new RedisStreamsServer({ url: settings.redisUrl, prefix: settings.prefix, group: settings.group, partitions: settings.partitions }),
  });
  app.useGlobalFilters(new KeepHandlerErrors());
  app.enableShutdownHooks();
  await app.listen();
  process.stdout.write(`example consumer listening to Credence events (group ${settings.group}, prefix ${settings.prefix})\n`);
}

void main();
