import { ActorRef } from '@credence/actors';
import type { ApplicationData } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import type { ApplicationType } from './redirect-uris';

export interface ApplicationRow {
  id: string;
  client_id: string;
  name: string;
  type: ApplicationType;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  connections: string[] | null;
  /** OIDC Core §4: where a login initiated elsewhere (an IdP-initiated SAML sign-in) sends the browser. */
  initiate_login_uri: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  secret_rotated_at: Date | null;
}

/** Every column but secret_hash, which only ApplicationClients reads. */
export const APPLICATION_COLUMNS =
  'id, client_id, name, type, redirect_uris, post_logout_redirect_uris, connections, initiate_login_uri, created_by, created_at, updated_at, secret_rotated_at';

/** Writes to one application serialize through its actor (mailbox in process, advisory lock across processes). */
export function applicationActor(tenantId: string, applicationId: string): ActorRef {
  return { kind: 'application', tenantId, id: applicationId };
}

export async function getApplication(uow: UnitOfWork, id: string, lock?: 'FOR UPDATE'): Promise<ApplicationRow> {
  const [row] = await uow.query<ApplicationRow[]>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = $1 ${lock ?? ''}`, [id]);
  if (!row) throw new DomainError('application.not_found');
  return row;
}

export function applicationEventData(r: ApplicationRow): ApplicationData {
  return {
    application_id: r.id,
    client_id: r.client_id,
    name: r.name,
    type: r.type,
    redirect_uris: r.redirect_uris,
    post_logout_redirect_uris: r.post_logout_redirect_uris,
    connections: r.connections,
    initiate_login_uri: r.initiate_login_uri,
  };
}
