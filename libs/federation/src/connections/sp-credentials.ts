import 'reflect-metadata'; // @peculiar/x509 resolves its parts through tsyringe, which needs the metadata polyfill
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// Node's webcrypto is the Web Crypto API the library expects (its type is the DOM's Crypto, absent here).
x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

/** One SP key pair with its self-signed certificate, as SAML metadata publishes it. */
export interface SpCredential {
  /** PKCS#8 PEM: sealed in the connection's secrets, never returned. */
  privateKeyPem: string;
  /** X.509 PEM: in the connection's config and the SP metadata. */
  certificatePem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * A fresh RSA-2048 key (RSA: every SAML IdP accepts it for signatures and for key transport of
 * encrypted assertions) and a self-signed certificate for it. SAML trusts the certificate itself, not
 * a chain, so self-signed is what IdPs expect; it lives ten years and rotates by replacement.
 */
export async function newSpCredential(commonName: string, use: 'signing' | 'encryption'): Promise<SpCredential> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${commonName.replace(/[,=+<>#;"\\]/g, ' ').slice(0, 60)} (${use})`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.KeyUsagesExtension(use === 'signing' ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment, true),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n-----END PRIVATE KEY-----\n`;
  return { privateKeyPem, certificatePem: cert.toString('pem') };
}
