import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { waitFor } from '../support/child-platform';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** One-time codes through OTP_SENDER=smtp, received by a real SMTP server on a loopback port. */
describe('one-time codes by SMTP', () => {
  const inbox: Mail[] = [];
  let smtp: SMTPServer;
  let t: TestApp;
  let slug: string;
  let tenantId: string;
  let schema: string;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await startTestApp([AuthAppModule], { OTP_SENDER: 'smtp', SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Credence <codes@credence.test>' });
    slug = uniqueSlug('otpmail');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'admin@otpmail.example', password: 'a long enough password' } });
    tenantId = res.body.id;
    schema = `t_${tenantId.replace(/-/g, '')}`;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  const addUser = (email: string, phone: string | null = null) =>
    t.dataSource.query(`INSERT INTO "${schema}".users (id, email, phone, status) VALUES (gen_random_uuid(), $1, $2, 'active')`, [email, phone]);
  const mailTo = (address: string) => inbox.find((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()));
  const settle = () => new Promise((r) => setTimeout(r, 500));

  it('mails the code from SMTP_FROM, and the code from the mail signs in', async () => {
    await addUser('Mia@OtpMail.example');
    const asked = await t.call('POST', `/v1/t/${slug}/auth/otp/request`, { email: 'mia@otpmail.example' }, { auth: false });
    expect(asked.status).toBe(202);
    const mail = await waitFor('the mail', async () => mailTo('Mia@OtpMail.example'), 10_000);
    expect(mail.from).toBe('codes@credence.test');
    expect(mail.raw).toMatch(/^Subject: Your sign-in code for /m);
    const code = /sign-in code for \S+ is ([0-9]{6})\./.exec(mail.raw)?.[1];
    expect(code).toMatch(/^[0-9]{6}$/);

    const res = await t.call('POST', `/v1/t/${slug}/auth/otp/verify`, { email: 'mia@otpmail.example', code }, { auth: false });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBeDefined();
    const events = await t.dataSource.query(`SELECT event::text AS text FROM platform.outbox WHERE tenant_id = $1`, [tenantId]);
    expect(events.filter((e: { text: string }) => new RegExp(`(^|[^0-9a-f])${code}([^0-9a-f]|$)`, 'i').test(e.text))).toEqual([]);
  });

  it('sends no mail for an address without an account, and answers 202 all the same', async () => {
    const res = await t.call('POST', `/v1/t/${slug}/auth/otp/request`, { email: 'nobody@otpmail.example' }, { auth: false });
    expect(res.status).toBe(202);
    await settle();
    expect(mailTo('nobody@otpmail.example')).toBeUndefined();
  });

  it('answers 202 for a phone number but sends nothing: no SMS provider is configured', async () => {
    await addUser('sms@otpmail.example', '+4917012345678');
    const before = inbox.length;
    const res = await t.call('POST', `/v1/t/${slug}/auth/otp/request`, { phone: '+4917012345678' }, { auth: false });
    expect(res.status).toBe(202);
    await settle();
    expect(inbox.length).toBe(before);
  });
});
