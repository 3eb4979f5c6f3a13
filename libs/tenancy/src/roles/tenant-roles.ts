import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseRoleTag } from '@credence/database';
import { assertSchemaName, assertSpareSchemaName, quoteSchema, quoteSpareSchema } from '../schema-name';
import type { UnitOfWork } from '../unit-of-work';

const TENANT_ROLE = /^t_[0-9a-f]{32}_[0-9a-f]{8}$/;
const GROUP_ROLE = /^credence_tenants_[0-9a-f]{8}$/;
const SPARE_ROLE = /^spare_[0-9a-f]{32}_[0-9a-f]{8}$/;
const GROUP_LOCK = 'credence:tenant-role-group';

/** A tenant's role: its schema name and the database's tag (`databaseRoleTag`), 43 characters. */
export function tenantRoleName(schema: string, tag: string): string {
  return assertRoleName(`${assertSchemaName(schema)}_${tag}`);
}

/** The group every tenant role of one database belongs to; it holds the grants on `platform`. */
export function tenantGroupRole(tag: string): string {
  return assertRoleName(`credence_tenants_${tag}`);
}

/** A spare schema's role: a tenant role in waiting, renamed with its schema when a tenant takes it. */
export function spareRoleName(schema: string, tag: string): string {
  return assertRoleName(`${assertSpareSchemaName(schema)}_${tag}`);
}

function assertRoleName(role: string): string {
  if (!TENANT_ROLE.test(role) && !GROUP_ROLE.test(role) && !SPARE_ROLE.test(role)) throw new Error(`refusing role name ${JSON.stringify(role)}`);
  return role;
}

/** A checked, double-quoted role name, safe to put into SQL text. */
export function quoteRole(role: string): string {
  return `"${assertRoleName(role)}"`;
}

/**
 * What a tenant's unit of work may touch in `platform`, given once to the group rather than to
 * each tenant role (one ACL entry per table, whatever the number of tenants). Row security
 * (platform migration 1732590000000) narrows each table to the rows of the role's own tenant:
 * - outbox: the events the unit emits (insert), and erasure blanking them (update of `event`);
 * - event_store: erasure blanking the stored copies;
 * - retention_runs: a retention batch counting itself in the run's row, and completing it.
 * The registry (`tenants`, `tenant_domains`), API keys and the platform trail are not reachable.
 */
const groupGrants = (group: string): string => `
  GRANT USAGE ON SCHEMA platform TO ${group};
  GRANT SELECT, INSERT (event_id, tenant_id, aggregate, type, event), UPDATE (event) ON platform.outbox TO ${group};
  GRANT USAGE ON SEQUENCE platform.outbox_position_seq TO ${group};
  GRANT SELECT, UPDATE (event) ON platform.event_store TO ${group};
  GRANT SELECT, UPDATE (counts, status, finished_at, error) ON platform.retention_runs TO ${group};`;

/**
 * Whether the group ($1) exists and holds its grants in this database. Roles are cluster-wide but
 * grants live in each database: a database dropped by hand and made again under the same name
 * finds its group from before with no grants on the new `platform` (every tenant unit of work then
 * fails on the outbox), so existing is not enough.
 */
const GROUP_READY_SQL = `CASE WHEN to_regrole($1::text) IS NOT NULL THEN has_schema_privilege($1::text, 'platform', 'USAGE') ELSE false END`;

/**
 * Rows and nothing else in its own schema: tables and sequences are owned by the login role that
 * runs the migrations, so the tenant role cannot alter, drop, truncate or create anything. The
 * login role is made a member so that it may `SET ROLE` to it without being a superuser.
 * Tables the login role creates later in the schema get the rights by default privileges, with
 * no statement per table: `GRANT ... ON ALL TABLES IN SCHEMA` reads the whole of pg_class (it has
 * no index by schema), which costs O(tenants) per tenant, so it only runs for a schema that
 * already has tables (a tenant from before roles, or a new login role).
 */
const tenantGrants = (role: string, group: string | null, schema: string): string => `
  ${group ? `GRANT ${group} TO ${role};` : ''}
  GRANT ${role} TO CURRENT_USER;
  GRANT USAGE ON SCHEMA ${schema} TO ${role};
  ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};
  ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${role};`;

const existingObjectGrants = (role: string, schema: string): string => `
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role};
  GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};`;

/**
 * The Postgres roles behind tenant isolation's second line: each tenant's units of work run as a
 * role that can reach its own schema only (TenantTransactionRunner sets it). Created, granted and
 * dropped here, always by the login role in a unit of its own (provisioning, migrations, purge).
 */
@Injectable()
export class TenantRoles {
  private tag?: string;
  private loading?: Promise<string>;

  constructor(private readonly dataSource: DataSource) {}

  /** The role a tenant's units of work run as. */
  async roleOf(schema: string): Promise<string> {
    return tenantRoleName(schema, this.tag ?? (await this.loadTag()));
  }

  async groupRole(): Promise<string> {
    return tenantGroupRole(this.tag ?? (await this.loadTag()));
  }

  /**
   * Makes the tenant's role exist with its grants, idempotently and cheaply when they are there
   * (a few catalog lookups by index). Run by the login role in the tenant's migration or
   * provisioning transaction, before the migrations, so the tables they create are granted by
   * default privileges.
   */
  async ensure(uow: UnitOfWork, schema: string): Promise<void> {
    const role = await this.roleOf(schema);
    const group = await this.groupRole();
    // Function calls and one indexed lookup, no joins of catalog views: planning those cost more
    // than running them, about 1 ms per tenant on every `npm run migrate` (BENCHMARKS.md).
    const [state] = await uow.query<{ group_ready: boolean; role_exists: boolean; ready: boolean; has_tables: boolean }[]>(
      `SELECT ${GROUP_READY_SQL} AS group_ready, to_regrole($2::text) IS NOT NULL AS role_exists,
              CASE WHEN ${GROUP_READY_SQL} AND to_regrole($2::text) IS NOT NULL THEN
                has_schema_privilege($2::text, $3::text, 'USAGE') AND pg_has_role($2::text, $1::text, 'MEMBER') AND pg_has_role(current_user, $2::text, 'MEMBER')
                AND EXISTS (SELECT 1 FROM pg_default_acl WHERE defaclrole = current_user::regrole AND defaclnamespace = $3::text::regnamespace AND defaclobjtype = 'r')
              ELSE false END AS ready,
              to_regclass($4::text) IS NOT NULL AS has_tables`,
      [group, role, assertSchemaName(schema), `${quoteSchema(schema)}.tenant_migrations`],
    );
    if (state.ready) return;
    if (!state.group_ready) await this.ensureGroup(uow, false);
    if (!state.role_exists) await uow.query(`CREATE ROLE ${quoteRole(role)} NOLOGIN`);
    const grants = tenantGrants(quoteRole(role), quoteRole(group), quoteSchema(schema));
    await uow.query(state.has_tables ? grants + existingObjectGrants(quoteRole(role), quoteSchema(schema)) : grants);
  }

  /**
   * Makes the group exist with its grants on `platform` in this database. Serialised by a
   * transaction lock, so concurrent provisionings of a database's first tenants create it once.
   * `regrant` grants again (npm run migrate does, so grants added by a newer build reach an
   * existing group).
   */
  async ensureGroup(uow: UnitOfWork, regrant: boolean): Promise<void> {
    const group = await this.groupRole();
    await uow.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [GROUP_LOCK]);
    const [{ exists, ready }] = await uow.query<{ exists: boolean; ready: boolean }[]>(`SELECT to_regrole($1::text) IS NOT NULL AS exists, ${GROUP_READY_SQL} AS ready`, [group]);
    if (!exists) await uow.query(`CREATE ROLE ${quoteRole(group)} NOLOGIN`);
    if (regrant || !ready) await uow.query(groupGrants(quoteRole(group)));
  }

  /** Drops the tenant's role, once its schema is gone (purge, failed provisioning); nothing when there is none. */
  async drop(uow: UnitOfWork, schema: string): Promise<void> {
    const role = await this.roleOf(schema);
    const [{ exists }] = await uow.query<{ exists: boolean }[]>('SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists', [role]);
    // Its grants and default privileges went with the schema, and it owns nothing. No DROP OWNED:
    // that needs the rights of the role, which a NOINHERIT login role does not have. Anything left
    // granted to it makes DROP ROLE fail, and the purge with it, rather than pass unnoticed.
    if (exists) await uow.query(`DROP ROLE ${quoteRole(role)}`);
  }

  /**
   * A spare schema's role, with what `ensure` gives a tenant's role except the group: a spare's role
   * reaches nothing in `platform` (row security could not narrow it, its name names no tenant).
   * Run before the spare's migrations, so its tables are granted to it by default privileges.
   */
  async createSpareRole(uow: UnitOfWork, spare: string): Promise<void> {
    const role = quoteRole(spareRoleName(spare, this.tag ?? (await this.loadTag())));
    await uow.query(`CREATE ROLE ${role} NOLOGIN`);
    await uow.query(tenantGrants(role, null, quoteSpareSchema(spare)));
  }

  /**
   * A tenant takes a spare: its schema and role get the tenant's names (grants, default privileges
   * and ownership follow, they are kept by object id) and the role joins the group. Afterwards the
   * role is exactly what `ensure` makes, and `ensure` finds it ready.
   */
  async adoptSpare(uow: UnitOfWork, spare: string, schema: string): Promise<void> {
    const tag = this.tag ?? (await this.loadTag());
    const role = quoteRole(tenantRoleName(schema, tag));
    await uow.query(
      `ALTER SCHEMA ${quoteSpareSchema(spare)} RENAME TO ${quoteSchema(schema)};
       ALTER ROLE ${quoteRole(spareRoleName(spare, tag))} RENAME TO ${role};
       GRANT ${quoteRole(await this.groupRole())} TO ${role};`,
    );
  }

  /** Drops a spare's role, once its schema is gone; nothing when there is none. */
  async dropSpareRole(uow: UnitOfWork, spare: string): Promise<void> {
    const role = spareRoleName(spare, this.tag ?? (await this.loadTag()));
    await uow.query(`DROP ROLE IF EXISTS ${quoteRole(role)}`);
  }

  /** Roles of spares (this database's) whose schema does not exist: left by a spare dropped halfway. */
  async orphanSpareRoles(uow: UnitOfWork): Promise<string[]> {
    const tag = this.tag ?? (await this.loadTag());
    const rows = await uow.query<{ schema: string }[]>(
      `SELECT left(rolname, 38) AS schema FROM pg_roles
        WHERE rolname ~ ('^spare_[0-9a-f]{32}_' || $1::text || '$') AND to_regnamespace(left(rolname, 38)) IS NULL`,
      [tag],
    );
    return rows.map((r) => assertSpareSchemaName(r.schema));
  }

  private loadTag(): Promise<string> {
    this.loading ??= this.dataSource
      .query<{ name: string }[]>('SELECT current_database() AS name')
      .then(([{ name }]) => (this.tag = databaseRoleTag(name)))
      .catch((err: unknown) => {
        this.loading = undefined;
        throw err;
      });
    return this.loading;
  }
}
