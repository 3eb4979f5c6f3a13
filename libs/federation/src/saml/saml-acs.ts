import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import type { ClientInfo } from '@credence/identity';
import { PageError } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import { FederatedSignIn } from '../users/federated-sign-in';
import { identityFrom } from './saml-attributes';
import { SAML_MESSAGE_LIMIT_BYTES } from './redirect-binding';
import { SamlState } from './saml-state';
import { SamlVerifier } from './saml-verifier';
import { samlSpUrls } from './saml-urls';
import { SamlRefusal } from './saml-xml';

/** What the browser is told when a Response is refused: nothing about why (the audit trail says it). */
export const REFUSED_MESSAGE = 'The identity provider’s answer could not be accepted. Go back to the application and sign in again.';

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/;

/**
 * The ACS: every check of a posted Response, then the InResponseTo request (taken once) and the
 * assertion id (accepted once), all before a user is looked at. A verified sign-in waits in Redis
 * for the browser to come back same-site (see SamlContinue).
 */
@Injectable()
export class SamlAcs {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly state: SamlState,
    private readonly verifier: SamlVerifier,
    private readonly signIn: FederatedSignIn,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The SAML connection named by the route, or a 404 page (no event: there is no connection to record it on). */
  async connection(id: string): Promise<Connection> {
    const found = await this.connections.find(id);
    if (!found || found.type !== 'saml' || !found.saml) throw new PageError(404, 'This sign-in page does not exist.');
    return found;
  }

  /** Returns the one-time token the continue page takes. */
  async accept(connection: Connection, samlResponse: unknown, client: ClientInfo): Promise<string> {
    try {
      return await this.verify(connection, samlResponse);
    } catch (err) {
      if (!(err instanceof SamlRefusal)) throw err;
      await this.signIn.refuse(connection, err.reason, client);
      throw new PageError(err.reason === 'too_large' ? 413 : 400, REFUSED_MESSAGE);
    }
  }

  private async verify(connection: Connection, samlResponse: unknown): Promise<string> {
    const saml = connection.saml!;
    if (!connection.enabled) throw new SamlRefusal('connection_disabled', 'the connection is disabled');
    if (typeof samlResponse !== 'string' || !samlResponse) throw new SamlRefusal('malformed', 'no SAMLResponse');
    if (samlResponse.length > SAML_MESSAGE_LIMIT_BYTES) throw new SamlRefusal('too_large', 'SAMLResponse too large');
    if (!BASE64.test(samlResponse)) throw new SamlRefusal('malformed', 'SAMLResponse is not base64');
    const tenant = this.context.requireTenant();
    const urls = samlSpUrls(this.config.CREDENCE_BASE_URL, tenant.slug, connection.id);
    // Parsed and checked in a worker thread (SamlVerifier): the event loop never holds the document.
    const assertion = await this.verifier.response(Buffer.from(samlResponse, 'base64').toString('utf8'), {
      acsUrl: urls.acs,
      spEntityId: urls.metadata,
      idpEntityId: saml.idp_entity_id,
      idpCertificates: saml.idp_certificates,
      allowSha1: saml.allow_sha1,
      // Opened only for an encrypted assertion: most IdPs sign without encrypting, and this is a transaction.
      decryptionKeys: async () => {
        const secrets = await this.connections.secrets(connection.id);
        return [secrets.sp_encryption_key, secrets.previous_sp_encryption_key].filter((k): k is string => Boolean(k));
      },
      now: Date.now(),
    });
    if (!assertion.inResponseTo && !saml.allow_idp_initiated) throw new SamlRefusal('idp_initiated_refused', 'unsolicited Response');
    const accepted = await this.state.acceptAssertion({
      tenantId: tenant.id,
      connectionId: connection.id,
      assertionId: assertion.assertionId,
      validUntil: assertion.validUntil,
      inResponseTo: assertion.inResponseTo || undefined,
      identity: identityFrom(assertion, connection.attributeMapping),
    });
    if (accepted.kind === 'replayed') throw new SamlRefusal('replayed', 'assertion seen before');
    if (accepted.kind === 'request_unknown') throw new SamlRefusal('in_response_to_unknown', 'no such AuthnRequest');
    return accepted.token;
  }
}
