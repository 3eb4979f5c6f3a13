import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anonymising a session rewrites ip, user agent, location and anonymised_at. While an index names
 * one of those columns (as the two partial `anonymised_at IS NULL` indexes did), every such update
 * writes new entries into every index of the table. Without them Postgres can update in place on
 * the page (HOT), and the 30 % of each new page kept free gives it room to.
 *
 * Retention now walks the due sessions along (last_seen_at, id) from a per-rule watermark instead
 * of through the partial index, so sessions anonymised by earlier runs are not walked again.
 * Erasure finds a user's sessions through auth_sessions_user_idx.
 */
export class HotSessionAnonymisation1732560000007 implements MigrationInterface {
  name = 'HotSessionAnonymisation1732560000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX auth_sessions_anonymise_due_idx, auth_sessions_user_anon_idx, auth_sessions_last_seen_idx`);
    await q.query(`CREATE INDEX auth_sessions_last_seen_idx ON auth_sessions (last_seen_at, id)`);
    await q.query(`ALTER TABLE auth_sessions SET (fillfactor = 70)`);
    await q.query(`
      CREATE TABLE retention_watermarks (
        rule text PRIMARY KEY,
        reached timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE retention_watermarks');
    await q.query('ALTER TABLE auth_sessions RESET (fillfactor)');
    await q.query('DROP INDEX auth_sessions_last_seen_idx');
    await q.query(`CREATE INDEX auth_sessions_last_seen_idx ON auth_sessions (last_seen_at)`);
    await q.query(`CREATE INDEX auth_sessions_user_anon_idx ON auth_sessions (user_id) WHERE anonymised_at IS NULL`);
    await q.query(`CREATE INDEX auth_sessions_anonymise_due_idx ON auth_sessions (last_seen_at) WHERE anonymised_at IS NULL`);
  }
}
