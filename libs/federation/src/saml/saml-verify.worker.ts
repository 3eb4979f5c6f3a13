/**
 * The worker-thread side of SamlVerifier: parses and checks SAML messages off the event loop. Imports
 * only relative modules and packages (no path aliases, no Nest), so a worker loads it alone.
 */
import type { FederationFailureReason } from '@credence/contracts';
import { readPostMessage } from './post-binding';
import { SamlExpectations, VerifiedAssertion, verifySamlResponse } from './saml-response';
import { SamlRefusal } from './saml-xml';

export type VerifyTask =
  /** A Response posted to the ACS; `decryptionKeys` once the first pass asked for them (an encrypted assertion). */
  | { kind: 'response'; xml: string; expect: Omit<SamlExpectations, 'decryptionKeys'>; decryptionKeys?: string[] }
  /** A message on the HTTP-POST binding (SLO): answered with the signed root, serialised. */
  | { kind: 'post-message'; value: unknown; certificates: readonly string[]; allowSha1: boolean };

export type VerifyAnswer =
  | { ok: true; assertion: VerifiedAssertion }
  | { ok: true; signedXml: string }
  | { ok: false; refusal: { reason: FederationFailureReason; detail: string } }
  /** The assertion is encrypted: ask again with the SP's decryption keys (read by the caller, which has the database). */
  | { ok: false; needsKeys: true };

class NeedsKeys extends Error {}

export default async function verify(task: VerifyTask): Promise<VerifyAnswer> {
  try {
    if (task.kind === 'post-message') {
      return { ok: true, signedXml: String(readPostMessage(task.value, task.certificates, task.allowSha1)) };
    }
    const keys = task.decryptionKeys;
    const decryptionKeys = async () => {
      if (!keys) throw new NeedsKeys();
      return keys;
    };
    return { ok: true, assertion: await verifySamlResponse(task.xml, { ...task.expect, decryptionKeys }) };
  } catch (err) {
    if (err instanceof NeedsKeys) return { ok: false, needsKeys: true };
    // A refusal crosses the thread boundary as data: its class does not survive structured cloning.
    if (err instanceof SamlRefusal) return { ok: false, refusal: { reason: err.reason, detail: err.message } };
    throw err;
  }
}
