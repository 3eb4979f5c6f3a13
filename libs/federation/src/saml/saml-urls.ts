/** The SP's URLs for one connection (the connections API shows the same values to the tenant admin). */
export interface SamlSpUrls {
  /** Also the SP entity id. */
  metadata: string;
  acs: string;
  slo: string;
  /** Where the ACS sends the browser back, same-site, so its Lax binding cookie is sent (docs/federation-saml.md). */
  continue: string;
}

export function samlSpUrls(baseUrl: string, tenantSlug: string, connectionId: string): SamlSpUrls {
  const root = `${baseUrl.replace(/\/+$/, '')}/v1/t/${tenantSlug}/connections/${connectionId}/saml`;
  return { metadata: `${root}/metadata`, acs: `${root}/acs`, slo: `${root}/slo`, continue: `${root}/continue` };
}
