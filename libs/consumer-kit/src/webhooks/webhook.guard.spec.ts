import { Controller, HttpCode, Module, Post, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookRejected } from './verify-webhook';
import { WebhookGuard } from './webhook.guard';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const handled: unknown[] = [];
let failNext = false;
/** While set, the handler waits for it, then fails if it resolves to false. */
let gate: { started: () => void; outcome: Promise<boolean> } | undefined;

@Controller('hooks')
class HooksController {
  @Post()
  @HttpCode(204)
  @UseGuards(new WebhookGuard({ secrets: [secret] }))
  async receive(@Req() req: { webhook: unknown }): Promise<void> {
    if (gate) {
      const g = gate;
      gate = undefined;
      g.started();
      if (!(await g.outcome)) throw new Error('database down');
    }
    if (failNext) {
      failNext = false;
      throw new Error('database down');
    }
    handled.push(req.webhook);
  }
}

@Module({ controllers: [HooksController] })
class ReceiverModule {}

/** Signed by the standardwebhooks package (an independent implementation), received by a real Nest app on Fastify. */
describe('WebhookGuard', () => {
  let app: NestFastifyApplication;
  let url: string;
  const signer = new Webhook(secret);
  const send = (id: string, body: string, at = new Date(), headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(id, at, body),
        ...headers,
      },
      body,
    });

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ReceiverModule, new FastifyAdapter(), { rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/hooks`.replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app.close());

  it('runs the handler for a valid delivery and hands it the event', async () => {
    const id = randomUUID();
    const res = await send(id, JSON.stringify({ id, type: 'user.created' }));
    expect(res.status).toBe(204);
    expect(handled).toContainEqual({ id, type: 'user.created' });
  });

  it('refuses a changed body, a wrong secret, missing headers and a timestamp older than 5 minutes (401)', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ id });
    const at = new Date();
    const signature = signer.sign(id, at, body);
    const base = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    expect((await fetch(url, { method: 'POST', headers: base, body: body.replace('}', ',"x":1}') })).status).toBe(401);
    const other = new Webhook(`whsec_${randomBytes(24).toString('base64')}`).sign(id, at, body);
    expect((await fetch(url, { method: 'POST', headers: { ...base, 'webhook-signature': other }, body })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    expect((await send(id, body, new Date(Date.now() - 6 * 60_000))).status).toBe(401);
    expect(handled.some((e) => (e as { id: string }).id === id)).toBe(false);
  });

  it('lets each webhook-id through once, but again after the handler failed', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ id, type: 'auth.login.failed' });
    failNext = true;
    expect((await send(id, body)).status).toBe(500);
    expect((await send(id, body)).status).toBe(204);
    const dup = await send(id, body);
    expect(dup.status).toBe(200);
    expect(await dup.json()).toEqual({ received: true, duplicate: true });
    expect(handled.filter((e) => (e as { id: string }).id === id)).toHaveLength(1);
  });

  it('answers 409 to a delivery arriving while an earlier one of the same id is still handled, so a failure of that one is retried, not lost', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ id, type: 'user.updated' });
    let fail!: (ok: boolean) => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    gate = { started, outcome: new Promise<boolean>((r) => (fail = r)) };
    const first = send(id, body);
    await running;
    // The sender timed out on the first attempt and retries while it still runs.
    expect((await send(id, body)).status).toBe(409);
    fail(false);
    expect((await first).status).toBe(500);
    expect((await send(id, body)).status).toBe(204);
    expect((await send(id, body)).status).toBe(200);
    expect(handled.filter((e) => (e as { id: string }).id === id)).toHaveLength(1);
  });

  it('signs over the body bytes as received: bytes that decode to the same text do not share a signature', () => {
    const id = randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sent = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const changed = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xfe]), Buffer.from('"}')]);
    const mac = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), sent]))
      .digest('base64');
    const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
    expect(verifyWebhook(headers, sent, { secrets: [secret] }).id).toBe(id);
    expect(() => verifyWebhook(headers, changed, { secrets: [secret] })).toThrow(WebhookRejected);
  });

  it('refuses a malformed signature header', () => {
    const id = randomUUID();
    const at = new Date();
    const body = '{"a":1}';
    const good = signer.sign(id, at, body);
    const base = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)) };
    for (const bad of ['', 'v1,', 'v1', good.replace('v1,', 'v2,'), good.slice(0, -4), 'garbage', `v1,${'A'.repeat(44)}`]) {
      expect(() => verifyWebhook({ ...base, 'webhook-signature': bad }, body, { secrets: [secret] })).toThrow(WebhookRejected);
    }
    expect(() => verifyWebhook({ ...base, 'webhook-timestamp': 'soon', 'webhook-signature': good }, body, { secrets: [secret] })).toThrow(WebhookRejected);
  });

  it('verifies with node:crypto alone what standardwebhooks signed, with either of two secrets', () => {
    const id = randomUUID();
    const body = '{"a":1}';
    const at = new Date();
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(id, at, body) };
    expect(verifyWebhook(headers, body, { secrets: ['whsec_' + randomBytes(24).toString('base64'), secret] })).toEqual({ id, event: { a: 1 } });
  });
});
