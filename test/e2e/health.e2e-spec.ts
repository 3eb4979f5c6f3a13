import { startTestApp } from '@credence/testing';
import { freePort, waitFor } from '../support/child-platform';
import { CuttableLink } from '../support/cuttable-link';
import { OwnRedis } from '../support/own-redis';

/** /health checks Postgres and Redis for real and answers 503 naming what is down. */
describe('GET /health', () => {
  it('is 200 with every check up', async () => {
    const t = await startTestApp([]);
    try {
      const res = await t.call('GET', '/health', undefined, { auth: false });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up' } } });
    } finally {
      await t.close();
    }
  });

  it('is 503 naming redis when Redis goes away, and 200 again when it is back', async () => {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    const t = await startTestApp([], { REDIS_URL: redis.url });
    try {
      expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);
      await redis.kill();
      const down = await t.call('GET', '/health', undefined, { auth: false });
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('unavailable');
      expect(down.body.checks.redis.status).toBe('down');
      expect(down.body.checks.queues.status).toBe('down');
      expect(down.body.checks.database.status).toBe('up');

      await redis.start();
      await waitFor('health to recover', async () => (await t.call('GET', '/health', undefined, { auth: false })).status === 200);
    } finally {
      await t.close();
      await redis.destroy();
    }
  });

  it('is 503 naming the database when Postgres stops answering, and 200 again when it is back', async () => {
    // The app reaches the test database through a link the test cuts: Postgres itself stays up for the other test files.
    const url = new URL(process.env.CREDENCE_TEST_DATABASE_URL!);
    const link = new CuttableLink(url.hostname, Number(url.port || 5432));
    await link.open();
    url.hostname = '127.0.0.1';
    url.port = String(link.port);
    const t = await startTestApp([], { DATABASE_URL: url.toString() });
    try {
      expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);
      await link.cut();
      const down = await t.call('GET', '/health', undefined, { auth: false });
      expect(down.status).toBe(503);
      expect(down.body.checks.database.status).toBe('down');
      expect(down.body.checks.redis.status).toBe('up');

      await link.open();
      await waitFor('health to recover', async () => (await t.call('GET', '/health', undefined, { auth: false })).status === 200);
    } finally {
      await t.close();
      await link.cut();
    }
  });
});
