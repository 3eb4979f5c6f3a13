/**
 * What moving the checks to worker threads costs and saves (not part of `npm run bench:saml`; run by hand:
 * `node -r @swc-node/register bench/saml/verifier-overhead.ts`, BENCH_N=600, BENCH_ELEMENTS=0). The same
 * signed Response (plus BENCH_ELEMENTS empty elements) checked BENCH_N times by verifySamlResponse on the
 * event loop, then through SamlVerifier (one thread, 16 in flight): process CPU per check (every thread)
 * and the event loop's busy time per check.
 */
import { performance } from 'node:perf_hooks';
import { newSpCredential, SamlVerifier } from '@credence/federation';
import type { AppConfig } from '@credence/config';
import { verifySamlResponse } from '../../libs/federation/src/saml/saml-response';
import { craftResponse, idOf, IDP_ENTITY_ID, signElement } from '../../test/support/saml-idp';

const N = Number(process.env.BENCH_N ?? 600);
const ELEMENTS = Number(process.env.BENCH_ELEMENTS ?? 0);
const acsUrl = 'http://credence.bench/acs';
const spEntityId = 'http://credence.bench/metadata';

async function measure(name: string, check: () => Promise<unknown>, inFlight: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < N) await check();
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const busy = performance.eventLoopUtilization(elu0).active;
  const per = (x: number) => (x / N).toFixed(3);
  process.stdout.write(`${name}: ${(N / (wall / 1000)).toFixed(0)}/s, CPU ${per((cpu.user + cpu.system) / 1000)} ms per check, event loop busy ${per(busy)} ms per check\n`);
}

async function main(): Promise<void> {
  const idp = await newSpCredential('Bench IdP', 'signing');
  const unsigned = craftResponse({ acsUrl, spEntityId, inResponseTo: '_request', nameId: 'someone@corp.example' });
  const signed = signElement(unsigned, idOf(unsigned, 'Assertion'), idp.privateKeyPem, idp.certificatePem);
  const at = signed.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length;
  const xml = signed.slice(0, at) + '<e/>'.repeat(ELEMENTS) + signed.slice(at);
  const expect = { acsUrl, spEntityId, idpEntityId: IDP_ENTITY_ID, idpCertificates: [idp.certificatePem], allowSha1: false, now: Date.now(), decryptionKeys: async () => [] };
  const verifier = new SamlVerifier({ SAML_VERIFY_THREADS: 1, SAML_VERIFY_QUEUE: 1000 } as AppConfig);
  for (let i = 0; i < 100; i += 1) await Promise.all([verifySamlResponse(xml, expect), verifier.response(xml, expect)]); // warm-up
  await measure('on the event loop', () => verifySamlResponse(xml, expect), 1);
  await measure('SamlVerifier, 1 thread, 1 in flight', () => verifier.response(xml, expect), 1);
  await measure('SamlVerifier, 1 thread, 16 in flight', () => verifier.response(xml, expect), 16);
  await verifier.onApplicationShutdown();
}

void main();
