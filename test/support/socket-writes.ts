import { Socket } from 'node:net';

type WriteOne = (chunk: Buffer | string, encoding: string, cb: () => void) => void;
type WriteMany = (chunks: { chunk: Buffer | string }[], cb: () => void) => void;

/**
 * The text of every socket write of this process while `work` runs (Postgres, Redis and HTTP alike):
 * a statement, its BEGIN and its COMMIT found in one write went to Postgres in one round trip.
 * `sofar` is called with the writes recorded until then each time one is added.
 */
export async function recordSocketWrites(work: () => Promise<unknown>, sofar?: (writes: string[]) => void): Promise<string[]> {
  const writes: string[] = [];
  const record = (w: string) => {
    writes.push(w);
    sofar?.(writes);
  };
  const proto = Socket.prototype as unknown as { _write: WriteOne; _writev: WriteMany };
  const { _write, _writev } = proto;
  const text = (c: Buffer | string) => (typeof c === 'string' ? c : c.toString('latin1'));
  proto._write = function (chunk, encoding, cb) {
    record(text(chunk));
    return _write.call(this, chunk, encoding, cb);
  };
  proto._writev = function (chunks, cb) {
    record(chunks.map((c) => text(c.chunk)).join(''));
    return _writev.call(this, chunks, cb);
  };
  try {
    await work();
  } finally {
    Object.assign(proto, { _write, _writev });
  }
  return writes;
}
