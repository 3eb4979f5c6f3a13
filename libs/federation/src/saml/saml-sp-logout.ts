import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import type { AfterLogout } from '@credence/oauth';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { Connection } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import { redirectUrl, samlId, samlInstant } from './redirect-binding';
import { SamlState } from './saml-state';
import { samlSpUrls } from './saml-urls';
import { NS } from './saml-xml';
import { escapeXml } from './xml-escape';

/** How long the IdP has to act on our LogoutRequest (its NotOnOrAfter). */
const LOGOUT_REQUEST_LIFETIME_MS = 600_000;

/**
 * SP-initiated single logout: after /oauth2/logout has ended a browser session that came through a
 * SAML connection, the browser goes to the IdP's SLO URL with a LogoutRequest (HTTP-Redirect, signed
 * with the connection's SP key) naming the user as the IdP knows them (the linked NameID and its
 * Format). RelayState is a one-time token that remembers where the browser goes once the IdP answers.
 */
@Injectable()
export class SamlSpLogout {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly state: SamlState,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The IdP URL to send the browser to, or undefined when the IdP takes no logout or does not know this user. */
  async logoutUrl(connection: Connection, userId: string, after: AfterLogout): Promise<string | undefined> {
    const saml = connection.saml;
    if (!saml?.idp_slo_url) return undefined;
    const [link] = await this.runner.inTenant((u) =>
      u.query<{ subject: string; subject_format: string | null }[]>(
        `SELECT subject, subject_format FROM federated_identities WHERE connection_id = $1 AND user_id = $2
          ORDER BY last_login_at DESC NULLS LAST LIMIT 1`,
        [connection.id, userId],
      ),
    );
    const key = (await this.connections.secrets(connection.id)).sp_signing_key;
    if (!link || !key) return undefined;
    const tenant = this.context.requireTenant();
    const urls = samlSpUrls(this.config.CREDENCE_BASE_URL, tenant.slug, connection.id);
    const id = samlId();
    const format = link.subject_format ? ` Format="${escapeXml(link.subject_format)}"` : '';
    const xml =
      `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${id}" Version="2.0" IssueInstant="${samlInstant()}"` +
      ` Destination="${escapeXml(saml.idp_slo_url)}" NotOnOrAfter="${samlInstant(Date.now() + LOGOUT_REQUEST_LIFETIME_MS)}">` +
      `<saml:Issuer>${escapeXml(urls.metadata)}</saml:Issuer><saml:NameID${format}>${escapeXml(link.subject)}</saml:NameID></samlp:LogoutRequest>`;
    const relayState = await this.state.rememberLogout({ tenantId: tenant.id, connectionId: connection.id, requestId: id, after });
    return redirectUrl(saml.idp_slo_url, 'SAMLRequest', xml, relayState, key);
  }
}
