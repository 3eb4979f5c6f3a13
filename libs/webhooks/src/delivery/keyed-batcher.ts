/**
 * Calls of many jobs for one key (a webhook owner) in one flush: the items asked for while the
 * key's earlier flushes are in flight wait for the next, so under load one transaction carries many
 * deliveries instead of one each, and when idle an item is flushed in the same turn of the event
 * loop. A failed flush fails every item in it.
 */
export class KeyedBatcher<In, Out> {
  private readonly pending = new Map<string, { item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly flushKey: (key: string, items: In[]) => Promise<Out[]>,
    private readonly maxItems = 200,
    private readonly maxInFlight = 2,
  ) {}

  submit(key: string, item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      let queue = this.pending.get(key);
      if (!queue) this.pending.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      if (queue.length === 1) setImmediate(() => this.drain(key));
      else if (queue.length >= this.maxItems) this.drain(key);
    });
  }

  private drain(key: string): void {
    const running = this.inFlight.get(key) ?? 0;
    const queue = this.pending.get(key);
    if (!queue?.length || running >= this.maxInFlight) return;
    const batch = queue.splice(0, this.maxItems);
    if (!queue.length) this.pending.delete(key);
    this.inFlight.set(key, running + 1);
    this.flushKey(
      key,
      batch.map((b) => b.item),
    )
      .then(
        (outs) => batch.forEach((b, i) => b.resolve(outs[i])),
        (err) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
        this.drain(key);
      });
  }
}
