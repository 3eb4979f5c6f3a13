import { createHash, X509Certificate } from 'node:crypto';

export const MAX_CERTIFICATES = 5;
export const MAX_PEM_LENGTH = 16 * 1024;
export const EXPIRING_WITHIN_MS = 30 * 24 * 3600 * 1000;

/** A certificate as the connections API reports it. */
export interface CertificateInfo {
  subject: string;
  not_before: string;
  not_after: string;
  fingerprint: string;
  expired: boolean;
  expiring: boolean;
}

/** One PEM certificate, normalized (what is stored), or undefined when it does not parse. */
export function normalizePem(pem: string): string | undefined {
  if (!/^\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/.test(pem)) return undefined;
  try {
    return new X509Certificate(pem).toString();
  } catch {
    return undefined;
  }
}

export function certificateInfo(pem: string, now = Date.now()): CertificateInfo {
  const cert = new X509Certificate(pem);
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    not_before: new Date(cert.validFrom).toISOString(),
    not_after: notAfter.toISOString(),
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
    expired: notAfter.getTime() <= now,
    expiring: notAfter.getTime() > now && notAfter.getTime() - now <= EXPIRING_WITHIN_MS,
  };
}
