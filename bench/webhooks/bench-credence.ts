/**
 * The Credence process of the webhooks benchmark: the auth and sync apps in one process, as under
 * `npm start` — it leads the event relay, runs the webhooks fan-out and the delivery worker, and
 * answers the API the bench sets up with. Reports its CPU time when asked.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadConfig } from '@credence/config';
import { createApp } from '@credence/runtime';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { countRoundTrips, traceReport } from '../shared/bench-kit';

async function main() {
  if (process.env.BENCH_TRACE === '1') countRoundTrips();
  const { config } = loadConfig(process.env);
  const app = await createApp(config, 'bench-webhooks', [AuthAppModule, SyncAppModule]);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const session = new Session();
  process.on('message', (m: { cpu?: boolean; stop?: boolean; trace?: number; profile?: 'start' | string }) => {
    if (m.profile === 'start') {
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    } else if (m.profile) {
      session.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(m.profile as string, JSON.stringify(res.profile));
        session.disconnect();
      });
    }
    if (m.cpu) process.send!({ cpu: process.cpuUsage() });
    if (m.trace) process.stdout.write(`\nper delivery, Credence process:\n${traceReport(m.trace)}\n`);
    if (m.stop) void app.close().then(() => process.exit(0));
  });
  process.send!({ ready: true, port });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
