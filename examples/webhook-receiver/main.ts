import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ReceiverModule } from './receiver.module';
import { settings } from './settings';

/** `WEBHOOK_SECRET=whsec_... npm run example:webhook-receiver`: verifies and logs Credence's webhook deliveries. */
async function main() {
  if (!settings.secrets.length) throw new Error('set WEBHOOK_SECRET to the whsec_... secret Credence showed when you created the webhook');
  // The signature covers the body byte for byte: the guard needs the raw body.
  const app = await NestFactory.create<NestFastifyApplication>(ReceiverModule, new FastifyAdapter(), { rawBody: true, logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(settings.port, '127.0.0.1');
  process.stdout.write(`webhook receiver ready at http://127.0.0.1:${settings.port}/${settings.path}\n`);
}

void main();
