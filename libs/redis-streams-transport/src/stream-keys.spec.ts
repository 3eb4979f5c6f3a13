import { decodeEntry, entryFields } from './entry-codec';
import { partitionOf, StreamKeys } from './stream-keys';

describe('stream keys and partitions', () => {
  it('maps an aggregate to the same partition in every process and version', () => {
    // Publisher and consumers in other processes must agree; these values must never change.
    expect(partitionOf('tenant/acme', 16)).toBe(partitionOf('tenant/acme', 16));
    expect([partitionOf('tenant/acme', 16), partitionOf('user/1', 16), partitionOf('', 16)]).toEqual([0, 2, 5]);
  });

  it('spreads aggregates over the partitions', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`user/${i}`, 16)] += 1;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('keeps every key under the deployment prefix', () => {
    const k = new StreamKeys('credence');
    expect([k.partition(3), k.deadLetters('billing'), k.redrive('billing'), k.lease('billing', 3), k.rpcRequests('identity.token.validate')]).toEqual([
      'credence:events:p3',
      'credence:events:dlq:billing',
      'credence:events:redrive:billing',
      'credence:events:lease:billing:p3',
      'credence:rpc:identity.token.validate',
    ]);
  });

  it('decodes what it encodes, whatever the field order', () => {
    const fields = entryFields('user.created', 'user/1', '{"id":"x"}');
    expect(decodeEntry(['1-0', fields])).toMatchObject({ id: '1-0', pattern: 'user.created', key: 'user/1', data: '{"id":"x"}' });
    expect(decodeEntry(['1-1', ['d', '{}', 'p', 'a.b', 'k', 'x', 'extra', 'y']])).toMatchObject({ pattern: 'a.b', key: 'x', data: '{}' });
  });
});
