import { samlAcsUrl, samlContinueUrl, samlSloUrl, samlSpMetadataUrl } from '../connections/connection-urls';

/** The SP's URLs for one connection, together (the connections API shows the same values to the tenant admin). */
export interface SamlSpUrls {
  /** Also the SP entity id. */
  metadata: string;
  acs: string;
  slo: string;
  /** Where the ACS sends the browser on, same-site, so its Lax binding cookie is sent. */
  continue: string;
}

export function samlSpUrls(baseUrl: string, tenantSlug: string, connectionId: string): SamlSpUrls {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    metadata: samlSpMetadataUrl(base, tenantSlug, connectionId),
    acs: samlAcsUrl(base, tenantSlug, connectionId),
    slo: samlSloUrl(base, tenantSlug, connectionId),
    continue: samlContinueUrl(base, tenantSlug, connectionId),
  };
}
