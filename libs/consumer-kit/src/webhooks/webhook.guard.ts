import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { verifyWebhook, VerifyOptions, WebhookRejected } from './verify-webhook';

/** Remembers the webhook ids already handled. Use a shared one (Redis, a table) when the receiver runs on several instances. */
export interface WebhookIdStore {
  /**
   * True if `id` was not claimed (and now is); false for a duplicate of a handled delivery;
   * 'in-progress' while another delivery of it is still being handled (a store that cannot tell
   * answers false, and a retry sent while the first attempt runs is then taken as delivered even if
   * that attempt fails).
   */
  claim(id: string): Promise<boolean | 'in-progress'>;
  /** Forgets a claim whose handling failed, so the retry runs again. */
  release(id: string): Promise<void>;
  /** Marks a claim handled (its handler answered below 300). */
  complete?(id: string): Promise<void>;
}

/** In this process's memory, for a day, at most `max` ids. */
export class MemoryWebhookIdStore implements WebhookIdStore {
  private readonly seen = new Map<string, { at: number; done: boolean }>();

  constructor(
    private readonly rememberMs = 24 * 3600 * 1000,
    private readonly max = 100_000,
  ) {}

  async claim(id: string): Promise<boolean | 'in-progress'> {
    const now = Date.now();
    const seen = this.seen.get(id);
    if (seen && !seen.done) return 'in-progress';
    if (seen && now - seen.at < this.rememberMs) return false;
    this.seen.delete(id);
    if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(id, { at: now, done: false });
    return true;
  }

  async release(id: string): Promise<void> {
    this.seen.delete(id);
  }

  async complete(id: string): Promise<void> {
    const seen = this.seen.get(id);
    if (seen) seen.done = true;
  }
}

/** Answered (200, the handler not run) for a delivery already handled: the sender stops retrying. */
export class WebhookAlreadyReceived extends HttpException {
  constructor() {
    super({ received: true, duplicate: true }, HttpStatus.OK);
  }
}

export interface WebhookGuardOptions extends VerifyOptions {
  store?: WebhookIdStore;
}

/** Answered (409) to a delivery of an id whose earlier delivery is still being handled: the sender retries it later. */
export class WebhookBeingHandled extends HttpException {
  constructor() {
    super({ received: false, in_progress: true }, HttpStatus.CONFLICT);
  }
}

/**
 * Guards a route that receives Credence webhooks: verifies the Standard Webhooks headers against the
 * raw body (create the app with `{ rawBody: true }`), refuses timestamps more than 5 minutes off
 * (401), and lets each webhook-id through once: a duplicate is answered 200 without running the
 * handler, and one arriving while the first is still being handled is answered 409, so the sender
 * retries it (were it answered 200, a failure of the first would lose the event). If the handler
 * fails (an answer of 300 or more), the id is released so the retry runs it. The verified event is
 * on `request.webhook`.
 */
@Injectable()
export class WebhookGuard implements CanActivate {
  private readonly store: WebhookIdStore;

  constructor(private readonly options: WebhookGuardOptions) {
    this.store = options.store ?? new MemoryWebhookIdStore();
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string>; rawBody?: Buffer; webhook?: unknown }>();
    if (!req.rawBody) throw new Error('WebhookGuard needs the raw body: create the Nest app with { rawBody: true }');
    let verified: { id: string; event: unknown };
    try {
      verified = verifyWebhook(req.headers, req.rawBody, this.options);
    } catch (err) {
      if (err instanceof WebhookRejected) throw new UnauthorizedException(err.message);
      throw err;
    }
    const claimed = await this.store.claim(verified.id);
    if (claimed === 'in-progress') throw new WebhookBeingHandled();
    if (!claimed) throw new WebhookAlreadyReceived();
    const res = ctx.switchToHttp().getResponse<{ raw?: NodeJS.EventEmitter & { statusCode: number } } & NodeJS.EventEmitter & { statusCode: number }>();
    const raw = res.raw ?? res;
    raw.once('finish', () => {
      if (raw.statusCode >= 300) void this.store.release(verified.id);
      else void this.store.complete?.(verified.id);
    });
    raw.once('close', () => {
      if (!(raw as unknown as { writableFinished?: boolean }).writableFinished) void this.store.release(verified.id);
    });
    req.webhook = verified.event;
    return true;
  }
}
