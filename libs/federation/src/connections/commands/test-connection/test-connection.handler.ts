import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { certificateInfo } from '../../certificates';
import type { OidcSettings, SamlSettings } from '../../connection';
import { getConnection } from '../../connection-row';
import { ConnectionStore } from '../../connection-store';
import { MetadataProblem } from '../../idp-metadata';
import { IdpMetadataSource } from '../../idp-metadata-source';
import { OutboundFailure, OutboundFetch } from '../../../outbound/outbound-fetch';
import { LdapDirectory } from '../../../ldap/ldap-directory';
import { LdapSignIn } from '../../../ldap/ldap-sign-in';
import { LdapUnavailable } from '../../../ldap/ldap-unavailable';
import { ConnectionCheck, ConnectionTestResult, TestConnectionCommand } from './test-connection.command';

const DISCOVERY_MAX_BYTES = 64 * 1024;
const DISCOVERY_TIMEOUT_MS = 10_000;

/**
 * Tries what can be tried without a user: SAML metadata (refetched when it came from a URL),
 * certificate validity and the SP's sealed keys; OIDC discovery (through the SSRF guard, issuer
 * compared); LDAP: the service account's bind (through the address policy, with the connection's TLS
 * settings and timeout) and a read of the user search base. The IdP's trouble is a failed check in a
 * 200, never an error response. Nothing is stored.
 */
@CommandHandler(TestConnectionCommand)
export class TestConnectionHandler implements ICommandHandler<TestConnectionCommand, ConnectionTestResult> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly store: ConnectionStore,
    private readonly metadata: IdpMetadataSource,
    private readonly outbound: OutboundFetch,
    private readonly ldapSignIn: LdapSignIn,
    private readonly ldapDirectory: LdapDirectory,
  ) {}

  async execute(cmd: TestConnectionCommand): Promise<ConnectionTestResult> {
    this.runner.assertAmbientTenant(cmd.tenantId);
    const c = await this.runner.inTenant((uow) => getConnection(uow, cmd.id));
    let checks: ConnectionCheck[];
    if (c.type === 'saml') checks = await this.saml(c.id, c.config.saml!);
    else if (c.type === 'oidc') {
      const keyAuth = c.config.oidc!.token_endpoint_auth_method === 'private_key_jwt';
      checks = [await this.discovery(c.config.oidc!), await this.secretCheck(c.id, keyAuth ? 'client_private_key' : 'client_secret')];
    } else checks = [await this.serviceBind(cmd.id)];
    return { ok: checks.every((k) => k.ok), checks };
  }

  private async saml(id: string, s: SamlSettings): Promise<ConnectionCheck[]> {
    const checks: ConnectionCheck[] = [];
    if (s.idp_metadata_url) {
      checks.push(
        await this.metadata.fetch(s.idp_metadata_url).then(
          (m) => ({
            name: 'metadata',
            ok: true,
            detail: `fetched; entity id ${m.entityId}, ${m.certificates.length} certificate(s)${m.entityId !== s.idp_entity_id ? ' (differs from the stored entity id)' : ''}`,
          }),
          (err: unknown) => ({ name: 'metadata', ok: false, detail: problem(err) }),
        ),
      );
    }
    const infos = s.idp_certificates.map((pem) => certificateInfo(pem));
    const valid = infos.filter((i) => !i.expired);
    checks.push({
      name: 'idp_certificates',
      ok: valid.length > 0,
      detail: infos.map((i) => `${i.fingerprint.slice(0, 16)}… not_after ${i.not_after}${i.expired ? ' EXPIRED' : i.expiring ? ' expiring within 30 days' : ''}`).join('; '),
    });
    checks.push({ name: 'idp_sso_url', ok: /^https?:\/\//.test(s.idp_sso_url), detail: s.idp_sso_url });
    checks.push(await this.secretCheck(id, 'sp_signing_key', 'sp_encryption_key'));
    return checks;
  }

  private async discovery(o: OidcSettings): Promise<ConnectionCheck> {
    const url = `${o.issuer}/.well-known/openid-configuration`;
    try {
      const res = await this.outbound.fetch(url, { maxBytes: DISCOVERY_MAX_BYTES, timeoutMs: DISCOVERY_TIMEOUT_MS, accept: 'application/json' });
      if (res.status !== 200) return { name: 'discovery', ok: false, detail: `${url} answered HTTP ${res.status}` };
      let doc: { issuer?: unknown; authorization_endpoint?: unknown; token_endpoint?: unknown };
      try {
        doc = JSON.parse(res.body.toString('utf8'));
      } catch {
        return { name: 'discovery', ok: false, detail: 'the discovery document is not JSON' };
      }
      if (doc?.issuer !== o.issuer)
        return { name: 'discovery', ok: false, detail: `the discovery document names issuer ${JSON.stringify(doc?.issuer)?.slice(0, 200)}, not ${o.issuer}` };
      if (typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string') {
        return { name: 'discovery', ok: false, detail: 'the discovery document lacks authorization_endpoint or token_endpoint' };
      }
      return { name: 'discovery', ok: true, detail: 'fetched; issuer matches' };
    } catch (err) {
      return { name: 'discovery', ok: false, detail: problem(err) };
    }
  }

  private async serviceBind(id: string): Promise<ConnectionCheck> {
    try {
      const connection = await this.store.find(id);
      await this.ldapDirectory.check(await this.ldapSignIn.target(connection!));
      return { name: 'service_bind', ok: true, detail: 'bound as ldap.bind_dn; ldap.user_search_base is readable' };
    } catch (err) {
      if (err instanceof LdapUnavailable) return { name: 'service_bind', ok: false, detail: err.detail };
      return { name: 'service_bind', ok: false, detail: problem(err) };
    }
  }

  private async secretCheck(id: string, ...keys: ('sp_signing_key' | 'sp_encryption_key' | 'client_secret' | 'client_private_key')[]): Promise<ConnectionCheck> {
    try {
      const secrets = await this.store.secrets(id);
      const missing = keys.filter((k) => !secrets[k]);
      return { name: 'secrets', ok: !missing.length, detail: missing.length ? `missing: ${missing.join(', ')}` : 'sealed secrets open' };
    } catch {
      return { name: 'secrets', ok: false, detail: 'the sealed secrets do not open with this key-encryption key' };
    }
  }
}

function problem(err: unknown): string {
  if (err instanceof MetadataProblem) return err.issue;
  if (err instanceof OutboundFailure) return err.detail;
  if (err instanceof DomainError) return err.message;
  return 'unexpected error';
}
