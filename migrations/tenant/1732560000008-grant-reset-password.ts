import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Setting another user's password became its own permission, user.reset_password, no longer implied
 * by user.update. Tenant admins of existing tenants keep the power they had.
 */
export class GrantResetPassword1732560000008 implements MigrationInterface {
  name = 'GrantResetPassword1732560000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'user.reset_password:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('user.reset_password:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'user.reset_password:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
  }
}
