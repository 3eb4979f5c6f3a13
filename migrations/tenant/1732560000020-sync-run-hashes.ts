import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sync run keeps each stored record's external_id and content hash beside the records, in record
 * order, so the worker can find the records that changed by one set-based join with sync_state and
 * never reads the unchanged ones back. NULL for a run stored before this column (read the old way).
 */
export class SyncRunHashes1732560000020 implements MigrationInterface {
  name = 'SyncRunHashes1732560000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs ADD COLUMN record_keys text[], ADD COLUMN record_hashes text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs DROP COLUMN record_keys, DROP COLUMN record_hashes`);
  }
}
