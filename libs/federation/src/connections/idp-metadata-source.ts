import { Injectable } from '@nestjs/common';
import { OutboundFailure, OutboundFetch } from '../outbound/outbound-fetch';
import { IdpMetadata, MAX_METADATA_BYTES, MetadataProblem, parseIdpMetadata } from './idp-metadata';

export const METADATA_TIMEOUT_MS = 10_000;

/** Fetches IdP metadata through the SSRF guard and parses it; every failure is a MetadataProblem (policy refusals stay DomainErrors). */
@Injectable()
export class IdpMetadataSource {
  constructor(private readonly outbound: OutboundFetch) {}

  async fetch(url: string): Promise<IdpMetadata> {
    let res;
    try {
      res = await this.outbound.fetch(url, { maxBytes: MAX_METADATA_BYTES, timeoutMs: METADATA_TIMEOUT_MS, accept: 'application/samlmetadata+xml, application/xml, text/xml' });
    } catch (err) {
      if (err instanceof OutboundFailure) throw new MetadataProblem(`the metadata could not be fetched: ${err.detail}`);
      throw err;
    }
    if (res.status !== 200) throw new MetadataProblem(`the metadata URL answered HTTP ${res.status}`);
    return parseIdpMetadata(res.body.toString('utf8'));
  }
}
