import { MigrationInterface, QueryRunner } from 'typeorm';

/** Services ask "may user X do Y?" through POST /permissions/check; tenant admins may grant that, so they hold it. */
export class GrantPermissionCheck1732560000003 implements MigrationInterface {
  name = 'GrantPermissionCheck1732560000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'permission.check:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('permission.check:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'permission.check:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
  }
}
