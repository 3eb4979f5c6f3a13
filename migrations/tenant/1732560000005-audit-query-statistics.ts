import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outcome and severity follow from the event type: without knowing that, the planner multiplies their
 * selectivities and, for a filter such as type=auth.login.failed&outcome=denied (which matches
 * nothing), walks one index through every failed login. Extended statistics let it see the
 * combination is rare and intersect the indexes instead (EXPLAIN figures in docs/audit.md).
 */
export class AuditQueryStatistics1732560000005 implements MigrationInterface {
  name = 'AuditQueryStatistics1732560000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE STATISTICS audit_log_class_stats (dependencies, mcv) ON type, outcome, severity FROM audit_log`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS audit_log_class_stats`);
  }
}
