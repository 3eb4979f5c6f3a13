import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import type { SamlExpectations, VerifiedAssertion } from './saml-response';
import type { VerifyAnswer, VerifyTask } from './saml-verify.worker';
import { parseSamlXml, SamlRefusal } from './saml-xml';

/** Built, the worker is the .js beside this file; from sources (jest, the benches, examples) the .ts, compiled by swc in the worker. */
const WORKER = join(__dirname, `saml-verify.worker${extname(__filename)}`);
const RETRY_AFTER_SECONDS = '1';

/**
 * Parses and checks SAML messages from the network (the ACS's Responses, SLO messages on the POST binding)
 * in a small pool of worker threads (piscina), so neither a large legitimate Response nor a crafted one
 * holds the event loop: the loop only posts the message and awaits the answer. The checks, their order
 * and their refusals are verifySamlResponse's and readPostMessage's, run unchanged in the worker. The
 * queue is bounded (SAML_VERIFY_QUEUE): past it a message is not queued but answered 503 with
 * Retry-After, so a flood costs bounded latency. Threads start on first use and stop with the app.
 */
@Injectable()
export class SamlVerifier implements OnApplicationShutdown {
  private readonly logger = new Logger('SamlVerifier');
  private pool?: Piscina<VerifyTask, VerifyAnswer>;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async response(xml: string, expect: SamlExpectations): Promise<VerifiedAssertion> {
    const { decryptionKeys, ...plain } = expect;
    let answer = await this.run({ kind: 'response', xml, expect: plain });
    // Encrypted: the first pass stopped where the keys are needed; the second repeats the same checks with them.
    if (!answer.ok && 'needsKeys' in answer) answer = await this.run({ kind: 'response', xml, expect: plain, decryptionKeys: await decryptionKeys() });
    const { assertion } = accepted(answer) as { assertion: VerifiedAssertion };
    return { ...assertion, attributes: Object.assign(Object.create(null), assertion.attributes) };
  }

  /** readPostMessage's root as signed, re-read here from the signed bytes only (already verified in the worker). */
  async postMessage(value: unknown, certificates: readonly string[], allowSha1: boolean): Promise<Element> {
    const { signedXml } = accepted(await this.run({ kind: 'post-message', value, certificates, allowSha1 })) as { signedXml: string };
    return parseSamlXml(signedXml).documentElement as unknown as Element;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.pool?.destroy();
    this.pool = undefined;
  }

  private async run(task: VerifyTask): Promise<VerifyAnswer> {
    if (this.closed) throw unavailable();
    const pool = (this.pool ??= this.start());
    if (pool.queueSize >= this.config.SAML_VERIFY_QUEUE) throw unavailable();
    try {
      return await pool.run(task);
    } catch (err) {
      if (this.closed || (err instanceof Error && /queue is at limit|terminated|destroyed|closed/i.test(err.message))) throw unavailable();
      throw err;
    }
  }

  private start(): Piscina<VerifyTask, VerifyAnswer> {
    const threads = this.config.SAML_VERIFY_THREADS;
    this.logger.log(`${threads} SAML verification thread(s), queue ${this.config.SAML_VERIFY_QUEUE}`);
    return new Piscina<VerifyTask, VerifyAnswer>({
      filename: WORKER,
      minThreads: threads,
      maxThreads: threads,
      maxQueue: this.config.SAML_VERIFY_QUEUE,
      idleTimeout: 60_000,
      // A worker has no loader of its own: from TypeScript sources it registers swc, as `node -r @swc-node/register` does.
      execArgv: WORKER.endsWith('.ts') ? ['-r', require.resolve('@swc-node/register')] : undefined,
    });
  }
}

function accepted(answer: VerifyAnswer): Extract<VerifyAnswer, { ok: true }> {
  if (answer.ok) return answer;
  if ('refusal' in answer) throw new SamlRefusal(answer.refusal.reason, answer.refusal.detail);
  throw new SamlRefusal('malformed', 'the assertion is encrypted and no keys were given');
}

const unavailable = () => new DomainError('service.unavailable', 'SAML verification is saturated; retry shortly.', undefined, { 'Retry-After': RETRY_AFTER_SECONDS });
