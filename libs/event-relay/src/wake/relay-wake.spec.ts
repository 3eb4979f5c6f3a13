import Redis from 'ioredis';
import { RelayWakeSender } from './relay-wake';

/** A Redis whose PUBLISH replies only when the test says so. */
function slowRedis() {
  const pending: (() => void)[] = [];
  const redis = { publish: jest.fn(() => new Promise<number>((resolve) => pending.push(() => resolve(1)))) };
  const reply = async () => {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { redis: redis as unknown as Redis & typeof redis, reply };
}

describe('RelayWakeSender', () => {
  it('publishes at once when nothing is in flight', () => {
    const { redis } = slowRedis();
    new RelayWakeSender(redis, 'p:events:outbox-wake').signal();
    expect(redis.publish).toHaveBeenCalledWith('p:events:outbox-wake', '');
  });

  it('signals while a wake is in flight make exactly one more, sent after its reply', async () => {
    const { redis, reply } = slowRedis();
    const sender = new RelayWakeSender(redis, 'c');
    sender.signal();
    sender.signal();
    sender.signal();
    expect(redis.publish).toHaveBeenCalledTimes(1);
    await reply();
    expect(redis.publish).toHaveBeenCalledTimes(2);
    await reply();
    expect(redis.publish).toHaveBeenCalledTimes(2); // nothing signalled since
    sender.signal();
    expect(redis.publish).toHaveBeenCalledTimes(3);
  });

  it('a failed publish is swallowed and does not stop later wakes', async () => {
    const redis = { publish: jest.fn().mockRejectedValueOnce(new Error('Connection is closed.')).mockResolvedValue(1) } as unknown as Redis & { publish: jest.Mock };
    const sender = new RelayWakeSender(redis, 'c');
    sender.signal();
    await new Promise((r) => setImmediate(r));
    sender.signal();
    expect(redis.publish).toHaveBeenCalledTimes(2);
  });
});
