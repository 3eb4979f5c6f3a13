import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { newSpCredential } from './sp-credentials';

describe('newSpCredential', () => {
  it('makes an RSA key and a self-signed certificate for it, valid for years, that signs and verifies', async () => {
    const c = await newSpCredential('acme SP, <evil>', 'signing');
    const cert = new X509Certificate(c.certificatePem);
    expect(cert.subject).toContain('acme SP');
    expect(cert.subject).not.toContain('<evil>');
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 24 * 3600 * 1000);
    const key = createPrivateKey(c.privateKeyPem);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const signature = sign('sha256', Buffer.from('x'), key);
    expect(verify('sha256', Buffer.from('x'), createPublicKey(c.certificatePem), signature)).toBe(true);
  });
});
