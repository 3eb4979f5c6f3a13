import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { BrowserSessions } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { Connection } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import { readRedirectMessage, redirectUrl, samlId, samlInstant } from './redirect-binding';
import { CLOCK_SKEW_MS } from './saml-response';
import { SamlState } from './saml-state';
import { SamlVerifier } from './saml-verifier';
import { samlSpUrls, SamlSpUrls } from './saml-urls';
import { NS, onlyChild, parseSamlXml, plainText, SamlRefusal } from './saml-xml';
import { escapeXml } from './xml-escape';

/** How long a LogoutRequest id is remembered when the IdP sets no NotOnOrAfter. */
const LOGOUT_REPLAY_WINDOW_MS = 600_000;

export type LogoutOutcome =
  /** An IdP's LogoutRequest was obeyed; `redirectTo`: the LogoutResponse for the IdP, when it has an SLO URL. */
  | { kind: 'request'; redirectTo?: string; endedSessions: number }
  /** The IdP answered our LogoutRequest: the browser goes on where the logout started asked (or the signed-out page). */
  | { kind: 'response'; redirectTo?: string };

/**
 * The SLO endpoint of a connection, on the HTTP-Redirect binding (signature over the query, checked
 * before anything is inflated; inflating stops at 256 KB, so a deflate bomb costs neither memory nor
 * time) and the HTTP-POST binding (signature inside the XML, read from the signed bytes only). It takes
 * an IdP's LogoutRequest (the user's browser sessions that came through this connection end, with
 * every app session they started) and the IdP's LogoutResponse to our own LogoutRequest (SamlSpLogout).
 */
@Injectable()
export class SamlLogout {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly browserSessions: BrowserSessions,
    private readonly state: SamlState,
    private readonly verifier: SamlVerifier,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async fromRedirect(connection: Connection, rawQuery: string): Promise<LogoutOutcome> {
    const saml = connection.saml!;
    const kind = /(^|&)SAMLResponse=/.test(rawQuery) ? 'SAMLResponse' : 'SAMLRequest';
    const { xml, relayState } = readRedirectMessage(rawQuery, kind, saml.idp_certificates, saml.allow_sha1);
    const root = parseSamlXml(xml).documentElement as unknown as Element;
    return this.handle(connection, root, relayState, kind);
  }

  async fromPost(connection: Connection, form: Record<string, unknown>): Promise<LogoutOutcome> {
    const saml = connection.saml!;
    if (form.SAMLRequest !== undefined && form.SAMLResponse !== undefined) throw new SamlRefusal('malformed', 'both a request and a response');
    const kind = form.SAMLResponse !== undefined ? 'SAMLResponse' : 'SAMLRequest';
    const relayState = typeof form.RelayState === 'string' && form.RelayState.length <= 80 ? form.RelayState : undefined;
    const root = await this.verifier.postMessage(form[kind], saml.idp_certificates, saml.allow_sha1);
    return this.handle(connection, root, relayState, kind);
  }

  private async handle(connection: Connection, root: Element, relayState: string | undefined, kind: 'SAMLRequest' | 'SAMLResponse'): Promise<LogoutOutcome> {
    const urls = samlSpUrls(this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug, connection.id);
    const expected = kind === 'SAMLRequest' ? 'LogoutRequest' : 'LogoutResponse';
    if (root.namespaceURI !== NS.protocol || root.localName !== expected) throw new SamlRefusal('malformed', `not a ${expected}`);
    const id = root.getAttribute('ID');
    if (!id || id.length > 128) throw new SamlRefusal('malformed', 'no ID');
    if (plainText(onlyChild(root, NS.assertion, 'Issuer')) !== connection.saml!.idp_entity_id) throw new SamlRefusal('issuer_mismatch', 'not the IdP');
    if (root.hasAttribute('Destination') && root.getAttribute('Destination') !== urls.slo) throw new SamlRefusal('destination_mismatch', 'Destination is not this SLO');
    return kind === 'SAMLRequest' ? this.logoutRequest(connection, root, id, relayState, urls) : this.logoutResponse(connection, root, relayState);
  }

  private async logoutRequest(connection: Connection, request: Element, requestId: string, relayState: string | undefined, urls: SamlSpUrls): Promise<LogoutOutcome> {
    const saml = connection.saml!;
    const notOnOrAfter = Date.parse(request.getAttribute('NotOnOrAfter') || '');
    if (!Number.isNaN(notOnOrAfter) && Date.now() - CLOCK_SKEW_MS >= notOnOrAfter) throw new SamlRefusal('expired', 'expired');
    const nameId = plainText(onlyChild(request, NS.assertion, 'NameID'));
    if (!nameId) throw new SamlRefusal('subject_missing', 'no NameID');
    // A captured LogoutRequest replayed would sign the user out again and again: each id is obeyed once.
    const rememberUntil = Number.isNaN(notOnOrAfter) ? Date.now() + LOGOUT_REPLAY_WINDOW_MS : notOnOrAfter + CLOCK_SKEW_MS;
    const tenantId = this.context.requireTenant().id;
    if (!(await this.state.firstUse(tenantId, connection.id, `logout:${requestId}`, rememberUntil))) throw new SamlRefusal('replayed', 'LogoutRequest seen before');

    const [linked] = await this.runner.inTenant((u) =>
      u.query<{ user_id: string }[]>('SELECT user_id FROM federated_identities WHERE connection_id = $1 AND subject = $2', [connection.id, nameId]),
    );
    const ended = linked ? await this.browserSessions.endForConnectionUser(connection.id, linked.user_id, 'idp_logout') : [];
    if (!saml.idp_slo_url) return { kind: 'request', endedSessions: ended.length };
    const response =
      `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${samlId()}" Version="2.0" IssueInstant="${samlInstant()}"` +
      ` Destination="${escapeXml(saml.idp_slo_url)}" InResponseTo="${escapeXml(requestId)}"><saml:Issuer>${escapeXml(urls.metadata)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
    const key = (await this.connections.secrets(connection.id)).sp_signing_key;
    return { kind: 'request', redirectTo: redirectUrl(saml.idp_slo_url, 'SAMLResponse', response, relayState, key), endedSessions: ended.length };
  }

  /**
   * The IdP's answer to our LogoutRequest: it must name that request (InResponseTo) and come with the
   * one-time RelayState token we sent, taken once. The Credence session ended before the browser left,
   * so the IdP's status changes nothing here; the browser goes where the logout started asked.
   */
  private async logoutResponse(connection: Connection, response: Element, relayState: string | undefined): Promise<LogoutOutcome> {
    const inResponseTo = response.getAttribute('InResponseTo');
    const pending = relayState ? await this.state.takeLogout(relayState) : undefined;
    const tenantId = this.context.requireTenant().id;
    if (!inResponseTo || !pending || pending.tenantId !== tenantId || pending.connectionId !== connection.id || pending.requestId !== inResponseTo) {
      throw new SamlRefusal('in_response_to_unknown', 'no such LogoutRequest');
    }
    if (!pending.after.redirectUri) return { kind: 'response' };
    const url = new URL(pending.after.redirectUri);
    if (pending.after.state !== undefined) url.searchParams.set('state', pending.after.state);
    return { kind: 'response', redirectTo: url.toString() };
  }
}
