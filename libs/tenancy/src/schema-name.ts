import { randomUUID } from 'node:crypto';

const SCHEMA_PATTERN = /^t_[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The schema of a tenant is derived from its id only; no user input ever becomes an identifier. */
export function schemaNameFor(tenantId: string): string {
  if (!UUID.test(tenantId)) throw new Error(`tenant id ${JSON.stringify(tenantId)} is not a lowercase UUID`);
  return assertSchemaName(`t_${tenantId.replace(/-/g, '')}`);
}

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`refusing schema name ${JSON.stringify(schema)}`);
  return schema;
}

/** A checked, double-quoted identifier, safe to put into SQL text. */
export function quoteSchema(schema: string): string {
  return `"${assertSchemaName(schema)}"`;
}

export function tenantSearchPath(schema: string): string {
  return `${quoteSchema(schema)},platform`;
}

const SPARE_PATTERN = /^spare_[0-9a-f]{32}$/;

/** A spare schema (libs/tenancy/src/spares): random, never a tenant's until it is renamed to one. */
export function newSpareSchemaName(): string {
  return assertSpareSchemaName(`spare_${randomUUID().replace(/-/g, '')}`);
}

export function assertSpareSchemaName(schema: string): string {
  if (!SPARE_PATTERN.test(schema)) throw new Error(`refusing spare schema name ${JSON.stringify(schema)}`);
  return schema;
}

export function quoteSpareSchema(schema: string): string {
  return `"${assertSpareSchemaName(schema)}"`;
}
