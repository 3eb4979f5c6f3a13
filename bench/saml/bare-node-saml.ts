/**
 * The yardstick of the SAML bench: `@node-saml/node-saml`'s `SAML.validatePostResponseAsync` alone, in
 * this process, on the same Responses Credence took, with the same certificate, audience, issuer and
 * clock skew. InResponseTo is not validated (`never`), so nothing is consumed and the Responses can be
 * validated again; Destination and Recipient are not checked by node-saml, and there is no replay
 * cache, no user and no code: this is the floor a SAML SP cannot go below.
 */
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { now, pct, round } from '../auth/shared';

export interface BareSettings {
  acsUrl: string;
  spEntityId: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpCert: string;
  /** Whether the IdP signs the Response as well as the assertion (node-saml then requires it). */
  responseSigned: boolean;
}

export function bareSaml(s: BareSettings): SAML {
  return new SAML({
    callbackUrl: s.acsUrl,
    entryPoint: s.idpSsoUrl,
    issuer: s.spEntityId,
    audience: s.spEntityId,
    idpIssuer: s.idpEntityId,
    idpCert: s.idpCert,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: s.responseSigned,
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: 180_000,
  });
}

export interface BareWindow {
  concurrency: number;
  ms: number;
  ok: number;
  errors: number;
  error_kinds: Record<string, number>;
  per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU of this process (user + system) per validation. */
  cpu_ms_per_op: number;
}

/** `concurrency` loops of validations through `responses` (cycled) for `seconds`, after `warmSeconds`. */
export async function runBare(saml: SAML, responses: string[], concurrency: number, seconds: number, warmSeconds: number): Promise<BareWindow> {
  let next = 0;
  const loop = async (until: number, record?: (ms: number, err?: unknown) => void) => {
    while (now() < until) {
      const SAMLResponse = responses[next++ % responses.length];
      const t = now();
      try {
        const { profile } = await saml.validatePostResponseAsync({ SAMLResponse });
        if (!profile?.nameID) throw new Error('no profile');
        record?.(now() - t);
      } catch (err) {
        record?.(now() - t, err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => loop(now() + warmSeconds * 1000)));

  const lat: number[] = [];
  const kinds: Record<string, number> = {};
  let errors = 0;
  const record = (ms: number, err?: unknown) => {
    if (err === undefined) lat.push(ms);
    else {
      errors++;
      const kind = String((err as Error)?.message ?? err).slice(0, 80);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  };
  const t0 = now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, () => loop(t0 + seconds * 1000, record)));
  const cpu = process.cpuUsage(cpu0);
  const ms = now() - t0;
  return {
    concurrency,
    ms: round(ms, 0),
    ok: lat.length,
    errors,
    error_kinds: kinds,
    per_s: round((lat.length * 1000) / ms, 1),
    p50_ms: round(pct(lat, 50), 3),
    p99_ms: round(pct(lat, 99), 3),
    cpu_ms_per_op: round((cpu.user + cpu.system) / 1000 / Math.max(1, lat.length), 3),
  };
}
