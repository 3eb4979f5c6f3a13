import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deleting a user deletes their sessions (cascade), and retention deletes old sessions; the
 * revocation marks rebuilt from Postgres after Redis loses its data must still refuse the tokens of
 * such a session while any can be alive. A trigger keeps a tombstone for every ended session that
 * is deleted, whatever deletes it, until its last token has expired: tokens are issued only at
 * sign-in and refresh, which set last_seen_at, and live at most 86,400 s plus the largest clock
 * skew (300 s), plus a margin (300 s). Active sessions get none: nothing refuses their tokens
 * before the deletion either. Retention purges tombstones past keep_until.
 *
 * The function finds the table through TG_TABLE_SCHEMA, so it never depends on the caller's
 * search_path and never names a schema itself.
 */
export class RevokedSessionTombstones1732560000012 implements MigrationInterface {
  name = 'RevokedSessionTombstones1732560000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE revoked_session_tombstones (
        session_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        keep_until timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX revoked_session_tombstones_keep_idx ON revoked_session_tombstones (keep_until)`);
    await q.query(`
      CREATE FUNCTION keep_revoked_session_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('INSERT INTO %I.revoked_session_tombstones (session_id, user_id, keep_until) VALUES ($1, $2, $3)
                        ON CONFLICT (session_id) DO UPDATE SET keep_until = greatest(revoked_session_tombstones.keep_until, EXCLUDED.keep_until)', TG_TABLE_SCHEMA)
          USING OLD.id, OLD.user_id, OLD.last_seen_at + interval '87000 seconds';
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER auth_sessions_keep_tombstone AFTER DELETE ON auth_sessions FOR EACH ROW
        WHEN (OLD.status <> 'active' AND OLD.last_seen_at > now() - interval '87000 seconds')
        EXECUTE FUNCTION keep_revoked_session_tombstone()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER auth_sessions_keep_tombstone ON auth_sessions');
    await q.query('DROP FUNCTION keep_revoked_session_tombstone()');
    await q.query('DROP TABLE revoked_session_tombstones');
  }
}
