import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt } from '../support/child-platform';

const probe = join(__dirname, '..', 'support', 'embedded-pg-probe.js');
const run = async (dir: string, sql: string) => JSON.parse((await promisify(execFile)(process.execPath, [probe, dir, sql])).stdout);

/** The fallback `npm start` uses where no Postgres answers: the Postgres binaries shipped in the npm package. */
describe('embedded Postgres', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('initialises a cluster in the data folder, creates the database, and keeps data across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credence-embedded-'));
    try {
      const first = await run(dir, `CREATE TABLE kept AS SELECT 42 AS v, current_setting('server_version_num')::int AS version`);
      expect(first.created).toBe(true);
      const second = await run(dir, 'SELECT v, version FROM kept');
      expect(second.created).toBe(false);
      expect(second.rows).toEqual([{ v: 42, version: expect.any(Number) }]);
      expect(second.rows[0].version).toBeGreaterThanOrEqual(180000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
