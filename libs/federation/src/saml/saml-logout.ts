import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { BrowserSessions } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { Connection } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import { readRedirectMessage, redirectUrl, samlId, samlInstant } from './redirect-binding';
import { CLOCK_SKEW_MS } from './saml-response';
import { samlSpUrls } from './saml-urls';
import { NS, onlyChild, parseSamlXml, plainText, SamlRefusal } from './saml-xml';
import { escapeXml } from './xml-escape';

export interface LogoutOutcome {
  /** The LogoutResponse for the IdP (Redirect binding), when the IdP has an SLO URL. */
  redirectTo?: string;
  endedSessions: number;
}

/**
 * IdP-initiated single logout on the HTTP-Redirect binding: the LogoutRequest's signature is checked
 * over the query before anything is inflated, and inflating stops at 256 KB (zlib maxOutputLength),
 * so a deflate bomb costs neither memory nor time. The user's browser sessions that came through this
 * connection end, with every app session they started.
 */
@Injectable()
export class SamlLogout {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly browserSessions: BrowserSessions,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async fromIdp(connection: Connection, rawQuery: string): Promise<LogoutOutcome> {
    const saml = connection.saml!;
    const urls = samlSpUrls(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug, connection.id);
    const { xml, relayState } = readRedirectMessage(rawQuery, 'SAMLRequest', saml.idp_certificates, saml.allow_sha1);
    const request = parseSamlXml(xml).documentElement as unknown as Element;
    if (request.namespaceURI !== NS.protocol || request.localName !== 'LogoutRequest') throw new SamlRefusal('malformed', 'not a LogoutRequest');
    const requestId = request.getAttribute('ID');
    if (!requestId || requestId.length > 128) throw new SamlRefusal('malformed', 'no ID');
    if (plainText(onlyChild(request, NS.assertion, 'Issuer')) !== saml.idp_entity_id) throw new SamlRefusal('issuer_mismatch', 'not the IdP');
    if (request.hasAttribute('Destination') && request.getAttribute('Destination') !== urls.slo) throw new SamlRefusal('destination_mismatch', 'Destination is not this SLO');
    const notOnOrAfter = request.getAttribute('NotOnOrAfter');
    if (notOnOrAfter && Date.now() - CLOCK_SKEW_MS >= Date.parse(notOnOrAfter)) throw new SamlRefusal('expired', 'expired');
    const nameId = plainText(onlyChild(request, NS.assertion, 'NameID'));
    if (!nameId) throw new SamlRefusal('subject_missing', 'no NameID');

    const [linked] = await this.runner.inTenant((u) =>
      u.query<{ user_id: string }[]>('SELECT user_id FROM federated_identities WHERE connection_id = $1 AND subject = $2', [connection.id, nameId]),
    );
    const ended = linked ? await this.browserSessions.endForConnectionUser(connection.id, linked.user_id, 'idp_logout') : [];
    if (!saml.idp_slo_url) return { endedSessions: ended.length };
    const response =
      `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${samlId()}" Version="2.0" IssueInstant="${samlInstant()}"` +
      ` Destination="${escapeXml(saml.idp_slo_url)}" InResponseTo="${escapeXml(requestId)}"><saml:Issuer>${escapeXml(urls.metadata)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
    const key = (await this.connections.secrets(connection.id)).sp_signing_key;
    return { redirectTo: redirectUrl(saml.idp_slo_url, 'SAMLResponse', response, relayState, key), endedSessions: ended.length };
  }
}
