/** The Credence process that leads the relay in the events benchmark (a plain app; its relay does the work). */
import 'reflect-metadata';
import { loadConfig } from '@credence/config';
import { createApp } from '@credence/runtime';

async function main() {
  const { config } = loadConfig(process.env);
  const app = await createApp(config, 'bench-relay', []);
  await app.listen(0, '127.0.0.1');
  process.send!({ ready: true });
}

void main();
