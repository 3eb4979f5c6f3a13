import { createPublicKey, KeyObject } from 'node:crypto';

/** Certificates as public keys, parsed once per thread: verifying with a PEM certificate parses it every time. */
const keys = new Map<string, KeyObject | null>();
const MAX_KEYS = 256;

/** The certificate's public key, or undefined when it does not parse (that certificate then verifies nothing). */
export function publicKeyOf(certificate: string): KeyObject | undefined {
  let key = keys.get(certificate);
  if (key === undefined) {
    try {
      key = createPublicKey(certificate);
    } catch {
      key = null;
    }
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(certificate, key);
  }
  return key ?? undefined;
}
