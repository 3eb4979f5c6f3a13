import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { SMTP_TIMEOUTS, SmtpOtpSender } from './smtp-otp-sender';

const message = { channel: 'email' as const, to: 'ada@example.com', code: '123456', expiresAt: new Date(Date.now() + 300_000), tenantSlug: 'acme' };

/** A mail server that accepts connections and never says a word. */
describe('SmtpOtpSender against a stalled mail server', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up when the greeting never comes instead of waiting for ever', async () => {
    const sender = new SmtpOtpSender(`smtp://127.0.0.1:${port}`, 'codes@example.com', { greetingTimeout: 300 });
    const started = Date.now();
    await expect(sender.sendEmail(message)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeLessThan(10_000);
    sender.onApplicationShutdown();
  });

  it('bounds every wait on the server by default, far below nodemailer’s minutes', () => {
    const sender = new SmtpOtpSender(`smtp://127.0.0.1:${port}`, 'codes@example.com');
    const options = (sender as unknown as { transport: { options: Record<string, unknown> } }).transport.options;
    expect(options).toMatchObject(SMTP_TIMEOUTS);
    expect(SMTP_TIMEOUTS.socketTimeout).toBeLessThanOrEqual(60_000);
    sender.onApplicationShutdown();
  });

  it('lets SMTP_URL override a timeout', () => {
    const sender = new SmtpOtpSender(`smtp://127.0.0.1:${port}/?socketTimeout=5000`, 'codes@example.com');
    expect((sender as unknown as { transport: { options: Record<string, unknown> } }).transport.options.socketTimeout).toBe(5000);
    sender.onApplicationShutdown();
  });
});
