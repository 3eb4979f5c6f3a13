/**
 * In-process mailboxes: messages for one key run one at a time, in arrival order.
 * The chain for a key is dropped once it drains, so idle actors cost nothing.
 */
export class Mailboxes {
  private readonly tails = new Map<string, Promise<unknown>>();

  deliver<T>(key: string, handle: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(handle, handle);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  get size(): number {
    return this.tails.size;
  }
}
