/**
 * How long one large SAML Response holds the event loop (not part of `npm run bench:saml`; run by hand:
 * `node -r @swc-node/register bench/saml/large-response.ts`, BENCH_ELEMENTS=40000, BENCH_BARE=1 to
 * also time bare node-saml, which takes minutes). A crafted Response whose assertion is signed,
 * with BENCH_ELEMENTS empty elements in its unsigned envelope (about 245 KB base64 at 40,000: under
 * the 256 KB limit), through Credence's verifySamlResponse: signed by the IdP, then by a key the SP
 * does not trust.
 */
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { newSpCredential } from '@credence/federation';
import { verifySamlResponse } from '../../libs/federation/src/saml/saml-response';
import { craftResponse, idOf, IDP_ENTITY_ID, signElement } from '../../test/support/saml-idp';

const ELEMENTS = Number(process.env.BENCH_ELEMENTS ?? 40_000);
const acsUrl = 'http://credence.bench/acs';
const spEntityId = 'http://credence.bench/metadata';

async function main(): Promise<void> {
  const idp = await newSpCredential('Bench IdP', 'signing');
  const stranger = await newSpCredential('Stranger', 'signing');
  const padded = (key: string, cert: string) => {
    const unsigned = craftResponse({ acsUrl, spEntityId, inResponseTo: '_request', nameId: 'someone@corp.example' });
    const xml = signElement(unsigned, idOf(unsigned, 'Assertion'), key, cert);
    const at = xml.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length;
    return xml.slice(0, at) + '<e/>'.repeat(ELEMENTS) + xml.slice(at);
  };
  const expect = {
    acsUrl,
    spEntityId,
    idpEntityId: IDP_ENTITY_ID,
    idpCertificates: [idp.certificatePem],
    allowSha1: false,
    now: Date.now(),
    decryptionKeys: async () => [],
  };
  for (const [name, xml] of [
    ['signed by the IdP', padded(idp.privateKeyPem, idp.certificatePem)],
    ['signed by a stranger', padded(stranger.privateKeyPem, stranger.certificatePem)],
  ]) {
    const t0 = performance.now();
    const outcome = await verifySamlResponse(xml, expect).then(
      () => 'accepted',
      (err: { reason?: string }) => `refused ${err.reason}`,
    );
    const b64 = Buffer.byteLength(Buffer.from(xml).toString('base64'));
    process.stdout.write(`Credence, ${ELEMENTS} elements, ${name} (${b64} bytes base64): ${outcome} in ${(performance.now() - t0).toFixed(0)} ms\n`);
  }
  if (process.env.BENCH_BARE === '1') {
    const bare = new SAML({
      callbackUrl: acsUrl,
      entryPoint: 'https://idp.test/sso',
      issuer: spEntityId,
      audience: spEntityId,
      idpIssuer: IDP_ENTITY_ID,
      idpCert: idp.certificatePem,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
      acceptedClockSkewMs: 180_000,
    });
    const t0 = performance.now();
    const SAMLResponse = Buffer.from(padded(idp.privateKeyPem, idp.certificatePem)).toString('base64');
    const outcome = await bare.validatePostResponseAsync({ SAMLResponse }).then(
      () => 'accepted',
      (err: Error) => `refused ${err.message}`,
    );
    process.stdout.write(`bare node-saml, signed by the IdP: ${outcome} in ${(performance.now() - t0).toFixed(0)} ms\n`);
  }
}

void main();
