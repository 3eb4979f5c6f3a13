/**
 * How an event a service reported is told apart from Credence's own, in the one trail they share:
 * its type lives under `external.` (no Credence event type does, and ingest refuses one that
 * would) and its source names the credential that wrote it.
 */
export const EXTERNAL_TYPE_PREFIX = 'external.';

export const externalType = (type: string) => `${EXTERNAL_TYPE_PREFIX}${type}`;

export const externalSource = (credentialId: string) => `external:service_credential/${credentialId}`;

export const isExternalType = (type: string) => type.startsWith(EXTERNAL_TYPE_PREFIX);
