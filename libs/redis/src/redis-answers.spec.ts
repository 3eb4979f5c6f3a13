import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { redisAnswers } from './redis.module';

/** A "Redis" that accepts connections and never answers, as a stalled (SIGSTOPped) one does. */
describe('redisAnswers', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('is false within its timeout for a server that accepts the connection but never answers PING', async () => {
    const url = `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    const answer = await Promise.race([redisAnswers(url, 300), new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000))]);
    expect(answer).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('is true for the machine’s Redis', async () => {
    expect(await redisAnswers(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 2_000)).toBe(true);
  });
});
