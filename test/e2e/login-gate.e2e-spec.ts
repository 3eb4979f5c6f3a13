import { randomUUID } from 'node:crypto';
import { DomainError } from '@credence/errors';
import { LoginGate } from '@credence/identity';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/**
 * The directory sign-in's way in: the per-IP limit and the lockout reservation in one Redis script. The
 * limit counts every attempt; a limited attempt reserves nothing; at most five attempts of a subject are
 * reserved before it is refused with the seconds to wait.
 */
describe('login gate (IP limit and lockout reservation in one round trip)', () => {
  let t: TestApp;
  const tenant = { id: randomUUID(), slug: 'gate', schema: 't_gate' };
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '6' });
  });
  afterAll(() => t.close());

  const enter = (ip: string, subject: string) => t.app.get(LoginGate).enter(tenant, ip, subject);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err as DomainError,
    );

  it('reserves five attempts of a subject, then answers the seconds to wait', async () => {
    for (let i = 0; i < 5; i += 1) expect(await enter('10.0.0.1', 'directory:c:ada')).toBe(0);
    const wait = await enter('10.0.0.1', 'directory:c:ada');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
  });

  it('refuses past the IP limit with 429 and Retry-After, reserving nothing for that attempt', async () => {
    for (let i = 0; i < 4; i += 1) expect(await enter('10.0.0.2', 'directory:c:grace')).toBe(0);
    // 10.0.0.1 has used its 6 attempts above: the 7th is limited, whatever the subject.
    const limited = await refusal(enter('10.0.0.1', 'directory:c:grace'));
    expect(limited).toBeInstanceOf(DomainError);
    expect(limited!.code).toBe('auth.rate_limited');
    expect(Number(limited!.headers?.['Retry-After'])).toBeGreaterThan(0);
    // grace's fifth attempt is still free (the limited one took none), the sixth is not.
    expect(await enter('10.0.0.2', 'directory:c:grace')).toBe(0);
    expect(await enter('10.0.0.2', 'directory:c:grace')).toBeGreaterThan(0);
  });
});
