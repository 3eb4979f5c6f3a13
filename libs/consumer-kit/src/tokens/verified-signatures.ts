import { createHash, KeyObject } from 'node:crypto';

/**
 * Access tokens whose signature has been verified, each with the key object that verified it. A
 * client presents the same access token on every call until it expires, and the ECDSA verification
 * is most of a check's CPU, so a token seen before skips it. Only the signature is remembered: every
 * claim, the expiry and the revocation mark are checked on every use.
 *
 * An entry is keyed by a SHA-256 of the whole compact token (not the token itself, which may be a
 * slice of a large request body and would keep it alive), so a hit is the very bytes verified before:
 * a new payload under a known signature is a miss. It holds only for the very key object the key store
 * returns now, so a key reloaded or removed means verifying again. The oldest entry is dropped first.
 */
export class VerifiedSignatures {
  private readonly entries = new Map<string, KeyObject>();

  constructor(private readonly max = 10_000) {}

  /** Whether `token` was verified with `key` (the same object, not an equal one). */
  holds(token: string, key: KeyObject): boolean {
    return this.entries.get(digest(token)) === key;
  }

  remember(token: string, key: KeyObject): void {
    const id = digest(token);
    if (!this.entries.has(id) && this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, key);
  }

  get size(): number {
    return this.entries.size;
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64');
