/**
 * The SAML checks alone (not part of `npm run bench:saml`; run by hand: `node -r @swc-node/register
 * bench/saml/verify-cost.ts`, N=1000, ROUNDS=3): CPU per validation of one signed Response (3.5 KB, the
 * assertion signed) by Credence's verifySamlResponse (what the verification thread runs: parse, every
 * check, the signature) and by bare node-saml's validatePostResponseAsync (one SAML instance, reused),
 * alternated in one process after a warm-up.
 */
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { newSpCredential } from '@credence/federation';
import { verifySamlResponse } from '../../libs/federation/src/saml/saml-response';
import { craftResponse, idOf, IDP_ENTITY_ID, signElement } from '../../test/support/saml-idp';
const N = Number(process.env.N ?? 1000);
const acsUrl = 'http://credence.bench/acs';
const spEntityId = 'http://credence.bench/metadata';
async function main() {
  const idp = await newSpCredential('Bench IdP', 'signing');
  const unsigned = craftResponse({ acsUrl, spEntityId, inResponseTo: '_request', nameId: 'someone@corp.example' });
  const xml = signElement(unsigned, idOf(unsigned, 'Assertion'), idp.privateKeyPem, idp.certificatePem);
  const b64 = Buffer.from(xml).toString('base64');
  const expect = { acsUrl, spEntityId, idpEntityId: IDP_ENTITY_ID, idpCertificates: [idp.certificatePem], allowSha1: false, now: Date.now(), decryptionKeys: async () => [] };
  const bare = new SAML({
    callbackUrl: acsUrl,
    entryPoint: 'https://idp.test/sso',
    issuer: spEntityId,
    audience: spEntityId,
    idpIssuer: IDP_ENTITY_ID,
    idpCert: idp.certificatePem,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: 180_000,
  });
  const cred = async () => {
    await verifySamlResponse(Buffer.from(b64, 'base64').toString('utf8'), expect);
  };
  const nodesaml = async () => {
    const { profile } = await bare.validatePostResponseAsync({ SAMLResponse: b64 });
    if (!profile) throw new Error('x');
  };
  process.stdout.write(`xml ${xml.length} bytes\n`);
  for (let i = 0; i < 200; i++) {
    await cred();
    await nodesaml();
  }
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    for (const [name, f] of [
      ['credence', cred],
      ['node-saml', nodesaml],
    ] as const) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < N; i++) await f();
      const c = process.cpuUsage(c0);
      process.stdout.write(`${name}: ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU/op\n`);
    }
  }
}
void main();
