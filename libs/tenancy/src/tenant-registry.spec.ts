import type { DataSource } from 'typeorm';
import { TenantRegistry } from './tenant-registry';

/** A registry over a fake platform.tenants whose reads stay pending until released. */
function registryWithPendingReads() {
  const pending: { slug: string; release: (status: string) => void }[] = [];
  const dataSource = {
    getRepository: () => ({
      findOne: ({ where }: { where: { slug: string } }) =>
        new Promise((resolve) => {
          pending.push({
            slug: where.slug,
            release: (status) => resolve({ id: '0190a3f6-0000-7000-8000-000000000001', slug: where.slug, schemaName: 't_x', status, settings: {} }),
          });
        }),
    }),
  } as unknown as DataSource;
  return { registry: new TenantRegistry(dataSource), pending };
}

describe('TenantRegistry', () => {
  it('reads a slug once for all the requests that find it missing at the same time', async () => {
    const { registry, pending } = registryWithPendingReads();
    const resolved = Promise.all(Array.from({ length: 10 }, () => registry.resolveServing('acme')));
    expect(pending).toHaveLength(1);
    pending[0].release('active');
    expect((await resolved).map((t) => t.slug)).toEqual(Array(10).fill('acme'));
    await registry.resolveServing('acme'); // cached now
    expect(pending).toHaveLength(1);
  });

  it('after forget(), reads again and does not cache a read that began before it', async () => {
    const { registry, pending } = registryWithPendingReads();
    const before = registry.resolveServing('acme');
    registry.forget('acme'); // e.g. the tenant was suspended meanwhile
    const after = registry.resolveServing('acme');
    expect(pending).toHaveLength(2);
    // The newer read answers first; the older one, begun before the suspension, last.
    pending[1].release('suspended');
    await expect(after).rejects.toMatchObject({ code: 'tenant.suspended' });
    pending[0].release('active');
    await expect(before).resolves.toMatchObject({ slug: 'acme' });
    // The late "active" did not replace the cached suspension.
    await expect(registry.resolveServing('acme')).rejects.toMatchObject({ code: 'tenant.suspended' });
    expect(pending).toHaveLength(2);
  });
});
