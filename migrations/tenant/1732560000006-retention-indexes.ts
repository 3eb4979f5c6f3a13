import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention finds sessions still to anonymise without walking the ones already anonymised (which
 * stay in the table until they are deleted, 180 days later by default): a partial index on the
 * sessions not yet anonymised, by last activity.
 */
export class RetentionIndexes1732560000006 implements MigrationInterface {
  name = 'RetentionIndexes1732560000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX auth_sessions_anonymise_due_idx ON auth_sessions (last_seen_at) WHERE anonymised_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX auth_sessions_anonymise_due_idx');
  }
}
