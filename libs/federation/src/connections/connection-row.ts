import { ActorRef } from '@credence/actors';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import type { AttributeMapping, ConnectionType, LdapSettings, OidcSettings, SamlSettings } from './connection';

/** A connection as the connections API reads it (never the sealed secrets). */
export interface ConnectionRecord {
  id: string;
  type: ConnectionType;
  name: string;
  enabled: boolean;
  status: 'active' | 'error';
  status_detail: string | null;
  domains: string[];
  jit: { enabled: boolean; default_roles: string[] };
  attribute_mapping: AttributeMapping;
  group_role_mapping: { group: string; role: string }[];
  config: { saml?: SamlSettings; oidc?: OidcSettings; ldap?: LdapSettings };
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export const RECORD_SELECT = `
  SELECT c.id, c.type, c.name, c.enabled, c.status, c.status_detail, c.jit, c.attribute_mapping, c.group_role_mapping, c.config,
         c.created_by, c.created_at, c.updated_at,
         ARRAY(SELECT d.domain FROM connection_domains d WHERE d.connection_id = c.id ORDER BY d.domain) AS domains
    FROM connections c`;

/** Writes to one connection serialize through its actor (mailbox in process, advisory lock across processes). */
export const connectionActor = (tenantId: string, id: string): ActorRef => ({ kind: 'connection', tenantId, id });

export async function getConnection(uow: UnitOfWork, id: string, lock?: 'FOR UPDATE'): Promise<ConnectionRecord> {
  const [row] = await uow.query<ConnectionRecord[]>(`${RECORD_SELECT} WHERE c.id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`, [id]);
  if (!row) throw new DomainError('connection.not_found');
  return row;
}

/** The connection as events describe it: never a secret, nor the IdP's certificates. */
export const connectionEventData = (r: Pick<ConnectionRecord, 'id' | 'type' | 'name' | 'enabled' | 'domains'>) => ({
  connection_id: r.id,
  type: r.type,
  name: r.name,
  enabled: r.enabled,
  domains: r.domains,
});

/** The connection's domains become exactly `domains`; another connection's domain is connection.domain_taken. */
export async function replaceDomains(uow: UnitOfWork, id: string, domains: string[]): Promise<void> {
  await uow.query('DELETE FROM connection_domains WHERE connection_id = $1', [id]);
  if (!domains.length) return;
  const taken = await uow.query<{ domain: string }[]>('SELECT domain FROM connection_domains WHERE domain = ANY($1) ORDER BY domain', [domains]);
  if (taken.length) throw domainTaken(taken.map((t) => t.domain));
  await uow.query('INSERT INTO connection_domains (domain, connection_id) SELECT unnest($1::text[]), $2', [domains, id]);
}

const domainTaken = (domains: string[]) =>
  new DomainError(
    'connection.domain_taken',
    undefined,
    domains.map((d) => ({ field: 'domains', issue: `${d} belongs to another connection` })),
  );

/** A unique violation on connection_domains (two connections claiming a domain at once) as the conflict it means. */
export function connectionConflict(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e?.code !== '23505' || e.constraint !== 'connection_domains_pkey') return err;
  const domain = /\(domain\)=\(([^)]+)\)/.exec(e.detail ?? '')?.[1];
  return domainTaken(domain ? [domain] : []);
}
