/**
 * Every Redis key the transport uses, in one place. `prefix` is the deployment's REDIS_PREFIX, so
 * test runs and environments sharing one Redis never see each other's streams.
 */
export class StreamKeys {
  constructor(readonly prefix: string) {}

  /** One stream per partition; an aggregate always maps to the same partition, which keeps its order. */
  partition(p: number): string {
    return `${this.prefix}:events:p${p}`;
  }

  deadLetters(group: string): string {
    return `${this.prefix}:events:dlq:${group}`;
  }

  /** Entries re-driven from the dead-letter stream: only this group reads them. */
  redrive(group: string): string {
    return `${this.prefix}:events:redrive:${group}`;
  }

  members(group: string): string {
    return `${this.prefix}:events:members:${group}`;
  }

  lease(group: string, p: number): string {
    return `${this.prefix}:events:lease:${group}:p${p}`;
  }

  rpcRequests(pattern: string): string {
    return `${this.prefix}:rpc:${pattern}`;
  }

  rpcReplies(clientId: string): string {
    return `${this.prefix}:rpc:reply:${clientId}`;
  }
}

/** FNV-1a: fast, stable across processes and versions, spreads short keys well. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
