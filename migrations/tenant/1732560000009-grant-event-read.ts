import { MigrationInterface, QueryRunner } from 'typeorm';

/** Event replay (GET /events) now asks the permission engine for event.read:any instead of checking the role name; tenant admins keep reading. */
export class GrantEventRead1732560000009 implements MigrationInterface {
  name = 'GrantEventRead1732560000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'event.read:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('event.read:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'event.read:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
  }
}
