import Redis from 'ioredis';
import { StreamKeys } from './stream-keys';

export interface DeadLetter {
  /** Id of the entry in the dead-letter stream (what `redrive` takes). */
  id: string;
  stream: string;
  entryId: string;
  pattern: string;
  key: string;
  data: string;
  error: string;
  attempts: number;
  failedAt: string;
}

function toDeadLetter([id, fields]: [string, string[]]): DeadLetter {
  const f: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return { id, stream: f.stream, entryId: f.entry, pattern: f.p, key: f.k, data: f.d, error: f.error, attempts: Number(f.attempts), failedAt: f.failed_at };
}

/** Lists a group's dead letters and sends them back to that group (and no other) for another try. */
export class DeadLetters {
  private readonly keys: StreamKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly group: string,
  ) {
    this.keys = new StreamKeys(prefix);
  }

  async list(options: { after?: string; count?: number } = {}): Promise<DeadLetter[]> {
    const start = options.after ? `(${options.after}` : '-';
    const rows = (await this.redis.xrange(this.keys.deadLetters(this.group), start, '+', 'COUNT', options.count ?? 100)) as [string, string[]][];
    return rows.map(toDeadLetter);
  }

  /** Re-drives the given dead letters (all when no ids are given); returns how many were re-driven. */
  async redrive(ids?: string[]): Promise<number> {
    const dlq = this.keys.deadLetters(this.group);
    const letters = ids ? (await Promise.all(ids.map((id) => this.redis.xrange(dlq, id, id)))).flat() : await this.redis.xrange(dlq, '-', '+');
    let count = 0;
    for (const row of letters as [string, string[]][]) {
      const letter = toDeadLetter(row);
      await this.redis
        .multi()
        .xadd(this.keys.redrive(this.group), '*', 'p', letter.pattern, 'k', letter.key, 'd', letter.data, 'redriven_from', letter.id)
        .xdel(dlq, letter.id)
        .exec();
      count += 1;
    }
    return count;
  }
}
