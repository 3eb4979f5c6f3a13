import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import type { Interaction } from '@credence/oauth';
import type { Connection } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import type { LoginStarter } from '../login/login-starters';
import { redirectUrl, samlId, samlInstant } from './redirect-binding';
import { SamlState } from './saml-state';
import { samlSpUrls } from './saml-urls';
import { escapeXml } from './xml-escape';

/**
 * SP-initiated sign-in (federation contract, "SAML login"): an AuthnRequest on the HTTP-Redirect
 * binding, signed with the connection's own SP key when `sign_authn_requests`. Its id is remembered
 * in Redis with the interaction it serves; the Response must name it (InResponseTo). RelayState is a
 * random token with no meaning: nothing the IdP echoes is ever used as a URL.
 */
@Injectable()
export class SamlLoginStarter implements LoginStarter {
  readonly type = 'saml' as const;

  constructor(
    private readonly state: SamlState,
    private readonly connections: ConnectionStore,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(interaction: Interaction, connection: Connection): Promise<string> {
    const saml = connection.saml;
    if (!saml) throw new Error(`connection ${connection.id} has no SAML settings`);
    const tenant = this.context.requireTenant();
    const urls = samlSpUrls(this.config.CREDENCE_BASE_URL, tenant.slug, connection.id);
    const id = samlId();
    const xml =
      `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"` +
      ` ID="${id}" Version="2.0" IssueInstant="${samlInstant()}" Destination="${escapeXml(saml.idp_sso_url)}"` +
      ` AssertionConsumerServiceURL="${escapeXml(urls.acs)}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">` +
      `<saml:Issuer>${escapeXml(urls.metadata)}</saml:Issuer>` +
      `<samlp:NameIDPolicy AllowCreate="true"/></samlp:AuthnRequest>`;
    await this.state.rememberRequest(id, { interactionId: interaction.id, connectionId: connection.id, tenantId: tenant.id });
    const key = saml.sign_authn_requests ? (await this.connections.secrets(connection.id)).sp_signing_key : undefined;
    if (saml.sign_authn_requests && !key) throw new Error(`connection ${connection.id} has no SP signing key`);
    return redirectUrl(saml.idp_sso_url, 'SAMLRequest', xml, randomBytes(24).toString('base64url'), key);
  }
}
