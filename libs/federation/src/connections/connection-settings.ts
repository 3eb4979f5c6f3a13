import { Inject, Injectable } from '@nestjs/common';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError, ErrorDetail } from '@credence/errors';
import { ApplicationClients } from '@credence/oauth';
import { TenantStore, UnitOfWork } from '@credence/tenancy';
import { normalizePem } from './certificates';
import type { LdapSettings, OidcSettings, SamlSettings } from './connection';
import type { LdapInputDto, LdapPatchDto } from './dto/ldap-input.dto';
import type { OidcInputDto, OidcPatchDto } from './dto/oidc-input.dto';
import type { SamlInputDto } from './dto/saml-input.dto';
import { IdpMetadata, MetadataProblem, parseIdpMetadata } from './idp-metadata';
import { IdpMetadataSource } from './idp-metadata-source';
import { filterTemplateProblem } from '../ldap/ldap-filter';
import { ldapUrlProblem } from '../ldap/ldap-transport';

export type SamlIdpSettings = Omit<SamlSettings, 'sp_signing_certificate' | 'sp_encryption_certificate'>;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const invalid = (details: ErrorDetail[]) => new DomainError('validation.failed', undefined, details);
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Turns the connections API's input into what is stored, checking what the DTOs cannot: URL schemes
 * (https in production), the one SAML IdP source (parsed or fetched now), certificates that parse,
 * the tenant's domains, roles and applications that exist. Secrets come back apart, to be sealed.
 */
@Injectable()
export class ConnectionSettings {
  private readonly production: boolean;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metadata: IdpMetadataSource,
    private readonly applications: ApplicationClients,
    private readonly tenants: TenantStore,
  ) {
    this.production = config.NODE_ENV === 'production';
  }

  /** Problems of an http(s) URL that an IdP or a browser is sent to; http only on loopback outside production. */
  urlProblem(field: string, value: string, opts: { noQuery?: boolean } = {}): ErrorDetail | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { field, issue: `${field} must be an absolute URL` };
    }
    if (url.username || url.password) return { field, issue: `${field} must not carry a user name or password` };
    if (url.hash || (opts.noQuery && url.search)) return { field, issue: `${field} must not have a ${url.hash ? 'fragment' : 'query'}` };
    if (url.protocol === 'https:') return undefined;
    if (url.protocol === 'http:' && !this.production && LOOPBACK.has(url.hostname)) return undefined;
    return { field, issue: `${field} must use https${this.production ? '' : ' (http only on loopback outside production)'}` };
  }

  /**
   * The IdP described by the input's one source (metadata XML, metadata URL fetched now, or the manual
   * fields), or undefined when the input names none and there are current settings to keep.
   */
  /**
   * `current` (on PATCH) fills in the manual fields a change leaves out, so a tenant admin can replace
   * just the certificates during a rollover (or just the SSO URL); a metadata source replaces all three.
   */
  async samlSource(input: SamlInputDto, current?: SamlSettings): Promise<IdpMetadata | undefined> {
    const manual = input.idp_entity_id !== undefined || input.idp_sso_url !== undefined || input.idp_certificates !== undefined;
    const sources = [input.idp_metadata_xml !== undefined, input.idp_metadata_url !== undefined, manual].filter(Boolean).length;
    if (sources > 1 || (sources === 0 && !current)) {
      throw invalid([{ field: 'saml', issue: 'give exactly one IdP source: idp_metadata_xml, idp_metadata_url, or idp_entity_id with idp_sso_url and idp_certificates' }]);
    }
    if (!sources) return undefined;
    if (!manual || !current) return this.idp(input);
    return this.idp({
      ...input,
      idp_entity_id: input.idp_entity_id ?? current.idp_entity_id,
      idp_sso_url: input.idp_sso_url ?? current.idp_sso_url,
      idp_certificates: input.idp_certificates ?? current.idp_certificates,
    });
  }

  /** The SAML settings to store: the IdP from `idp` (samlSource) or the current ones, and the options merged over the current ones. */
  async saml(input: SamlInputDto, idp: IdpMetadata | undefined, current?: SamlSettings): Promise<SamlIdpSettings> {
    const next: SamlIdpSettings = {
      idp_entity_id: idp?.entityId ?? current!.idp_entity_id,
      idp_sso_url: idp?.ssoUrl ?? current!.idp_sso_url,
      idp_slo_url: idp ? (input.idp_slo_url ?? idp.sloUrl) : (input.idp_slo_url ?? current?.idp_slo_url),
      idp_certificates: idp?.certificates ?? current!.idp_certificates,
      idp_metadata_url: idp ? input.idp_metadata_url : current?.idp_metadata_url,
      allow_idp_initiated: input.allow_idp_initiated ?? current?.allow_idp_initiated ?? false,
      idp_initiated_client_id: input.idp_initiated_client_id ?? current?.idp_initiated_client_id,
      idp_initiated_target_link_uri: input.idp_initiated_target_link_uri ?? current?.idp_initiated_target_link_uri,
      sign_authn_requests: input.sign_authn_requests ?? current?.sign_authn_requests ?? true,
      allow_sha1: input.allow_sha1 ?? current?.allow_sha1 ?? false,
    };
    const problems = [this.urlProblem('saml.idp_sso_url', next.idp_sso_url), next.idp_slo_url ? this.urlProblem('saml.idp_slo_url', next.idp_slo_url) : undefined];
    if (next.idp_initiated_target_link_uri) problems.push(this.urlProblem('saml.idp_initiated_target_link_uri', next.idp_initiated_target_link_uri));
    if (next.allow_idp_initiated && !next.idp_initiated_client_id) {
      problems.push({ field: 'saml.idp_initiated_client_id', issue: 'saml.idp_initiated_client_id is required when allow_idp_initiated is true' });
    } else if (next.idp_initiated_client_id && !(await this.applications.find(next.idp_initiated_client_id))) {
      problems.push({ field: 'saml.idp_initiated_client_id', issue: 'saml.idp_initiated_client_id is not an application of the tenant' });
    }
    const found = problems.filter((p): p is ErrorDetail => !!p);
    if (found.length) throw invalid(found);
    return defined(next) as SamlIdpSettings;
  }

  private async idp(input: SamlInputDto): Promise<IdpMetadata> {
    if (input.idp_metadata_xml !== undefined) return this.describe('saml.idp_metadata_xml', () => parseIdpMetadata(input.idp_metadata_xml!));
    if (input.idp_metadata_url !== undefined) {
      const bad = this.urlProblem('saml.idp_metadata_url', input.idp_metadata_url);
      if (bad) throw invalid([bad]);
      return this.describe('saml.idp_metadata_url', () => this.metadata.fetch(input.idp_metadata_url!));
    }
    const problems: ErrorDetail[] = [];
    if (!input.idp_entity_id) problems.push({ field: 'saml.idp_entity_id', issue: 'saml.idp_entity_id is required without metadata' });
    if (!input.idp_sso_url) problems.push({ field: 'saml.idp_sso_url', issue: 'saml.idp_sso_url is required without metadata' });
    if (!input.idp_certificates?.length) problems.push({ field: 'saml.idp_certificates', issue: 'at least one IdP certificate is required without metadata' });
    const certificates = (input.idp_certificates ?? []).map((pem, i) => {
      const normal = normalizePem(pem);
      if (!normal) problems.push({ field: `saml.idp_certificates[${i}]`, issue: `saml.idp_certificates[${i}] is not a PEM X.509 certificate` });
      return normal!;
    });
    if (problems.length) throw invalid(problems);
    return { entityId: input.idp_entity_id!, ssoUrl: input.idp_sso_url!, certificates: [...new Set(certificates)] };
  }

  private async describe(field: string, work: () => IdpMetadata | Promise<IdpMetadata>): Promise<IdpMetadata> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof MetadataProblem) throw invalid([{ field, issue: err.issue }]);
      throw err;
    }
  }

  /**
   * private_key_jwt gets an RSA key of the connection's own, made once (its private half sealed with the
   * secrets, its public half published); the secret methods need a client secret on creation.
   */
  oidc(input: OidcInputDto | OidcPatchDto, current?: OidcSettings): { settings: OidcSettings; clientSecret?: string; privateKey?: string } {
    const settings: OidcSettings = {
      issuer: (input.issuer ?? current?.issuer ?? '').replace(/\/+$/, ''),
      client_id: input.client_id ?? current?.client_id ?? '',
      scopes: input.scopes ?? current?.scopes ?? ['openid', 'email', 'profile'],
      token_endpoint_auth_method: input.token_endpoint_auth_method ?? current?.token_endpoint_auth_method ?? 'client_secret_basic',
    };
    const problems = [this.urlProblem('oidc.issuer', settings.issuer, { noQuery: true })];
    if (!settings.scopes.includes('openid')) problems.push({ field: 'oidc.scopes', issue: 'oidc.scopes must include openid' });
    const keyAuth = settings.token_endpoint_auth_method === 'private_key_jwt';
    if (!current && !keyAuth && input.client_secret === undefined) {
      problems.push({ field: 'oidc.client_secret', issue: `oidc.client_secret is required with ${settings.token_endpoint_auth_method}` });
    }
    const found = problems.filter((p): p is ErrorDetail => !!p);
    if (found.length) throw invalid(found);
    if (current?.client_public_jwk) settings.client_public_jwk = current.client_public_jwk;
    if (!keyAuth || settings.client_public_jwk) return { settings, clientSecret: input.client_secret };
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    const kid = createHash('sha256').update(`${e}.${n}`).digest('base64url').slice(0, 16);
    settings.client_public_jwk = { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' };
    return { settings, clientSecret: input.client_secret, privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
  }

  ldap(input: LdapInputDto | LdapPatchDto, current?: LdapSettings): { settings: LdapSettings; bindPassword?: string } {
    const merged = { ...current, ...defined(input) } as LdapSettings & { bind_password?: string };
    const { bind_password: _sealedApart, ...rest } = merged;
    const settings: LdapSettings = { ...rest, start_tls: rest.start_tls ?? false, timeout_ms: rest.timeout_ms ?? 5000 };
    const problems: ErrorDetail[] = [];
    if (!/^ldaps?:\/\/[^/?#\s]+\/?$/i.test(settings.url ?? '')) problems.push({ field: 'ldap.url', issue: 'ldap.url must be ldap://host[:port] or ldaps://host[:port]' });
    else {
      const plain = ldapUrlProblem(settings, this.production);
      if (plain) problems.push({ field: 'ldap.url', issue: plain });
    }
    if (!settings.user_search_filter?.includes('{{username}}')) problems.push({ field: 'ldap.user_search_filter', issue: 'ldap.user_search_filter must contain {{username}}' });
    for (const field of ['user_search_filter', 'group_search_filter'] as const) {
      const bad = settings[field] !== undefined ? filterTemplateProblem(settings[field]) : undefined;
      if (bad) problems.push({ field: `ldap.${field}`, issue: `ldap.${field} ${bad}` });
    }
    if (settings.ca_certificate !== undefined && !normalizePem(settings.ca_certificate))
      problems.push({ field: 'ldap.ca_certificate', issue: 'ldap.ca_certificate is not a PEM X.509 certificate' });
    if (problems.length) throw invalid(problems);
    return { settings, bindPassword: input.bind_password };
  }

  /** Every domain must be one of the tenant's (set by the platform admin): those count as verified. */
  async assertTenantDomains(tenantId: string, domains: string[]): Promise<void> {
    if (!domains.length) return;
    const own = new Set((await this.tenants.findById(tenantId))?.domains ?? []);
    const foreign = domains.filter((d) => !own.has(d));
    if (foreign.length) throw invalid(foreign.map((d) => ({ field: 'domains', issue: `${d} is not a domain of the tenant` })));
  }

  /** Role names in jit.default_roles and group_role_mapping must exist in the tenant. */
  async assertRolesExist(uow: UnitOfWork, fields: { field: string; roles: string[] }[]): Promise<void> {
    const names = [...new Set(fields.flatMap((f) => f.roles))];
    if (!names.length) return;
    const rows = await uow.query<{ name: string }[]>('SELECT name FROM roles WHERE name = ANY($1)', [names]);
    const known = new Set(rows.map((r) => r.name));
    const missing = fields.flatMap((f) => f.roles.filter((r) => !known.has(r)).map((r) => ({ field: f.field, issue: `role ${r} does not exist` })));
    if (missing.length) throw invalid(missing);
  }
}
