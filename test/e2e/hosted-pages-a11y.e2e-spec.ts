import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { LogOtpSender } from '@credence/identity';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { arriveAt, launchBrowser, TestBrowser } from '../support/browser';
import { member, Member, onboard, Tenant } from './identity-authz-fixture';

const CALLBACK = 'https://app.example.com/cb';

/** WCAG 2.1 contrast ratio of two CSS colours as getComputedStyle gives them (`rgb(r, g, b)`). */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The hosted pages as an accessibility audit sees them, in chromium: what the browser makes of the
 * markup (autocomplete purposes, focus after a refused attempt, tab order), the colours a tenant's
 * accent produces, and the pages at 320 CSS pixels.
 */
describe('hosted pages in a real browser: accessibility', () => {
  let t: TestApp;
  let acme: Tenant;
  let yellow: Tenant;
  let user: Member;
  let sender: LogOtpSender;
  let browser: TestBrowser;
  const clients = new Map<string, string>();

  const register = async (tenant: Tenant) => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/applications`, { name: 'Web', type: 'public', redirect_uris: [CALLBACK] }, { auth: tenant.admin });
    expect(res.status).toBe(201);
    clients.set(tenant.slug, res.body.client_id);
  };

  /** A fresh browser on the tenant's sign-in page, reached through /oauth2/authorize as an app sends it. */
  async function signInPage(tenant: Tenant, options: { width?: number; dark?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.browser.newContext({
      viewport: { width: options.width ?? 1024, height: 800 },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    const page = await context.newPage();
    const authorize = new URL(`${t.url}/v1/t/${tenant.slug}/oauth2/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clients.get(tenant.slug)!,
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 's',
      code_challenge: createHash('sha256').update('v'.repeat(50)).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(k, v);
    await page.goto(authorize.toString());
    await arriveAt(page, new RegExp(`/v1/t/${tenant.slug}/login\\?interaction=`));
    return { context, page };
  }

  const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
    sender = t.app.get(LogOtpSender);
    acme = await onboard(t, 'a11y');
    yellow = await onboard(t, 'a11y-yellow');
    expect((await t.call('PATCH', `/v1/admin/tenants/${acme.slug}`, { name: 'Averylongtenantnamewithoutanyspacesatallthatgoesonandon' })).status).toBe(200);
    expect((await t.call('PATCH', `/v1/admin/tenants/${yellow.slug}`, { settings: { login_primary_color: '#ffff00' } })).status).toBe(200);
    for (const tenant of [acme, yellow]) await register(tenant);
    user = await member(t, acme, []);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('gives every input an autocomplete purpose the browser accepts (one token, not "username email")', async () => {
    const { context, page } = await signInPage(acme);
    // The IDL attribute is '' when the content attribute is not a valid autofill detail token list.
    const purposes = await page.evaluate(() => Array.from(document.querySelectorAll('input:not([type=hidden])')).map((i) => [i.id, (i as HTMLInputElement).autocomplete]));
    expect(purposes).toEqual([
      ['email', 'username'],
      ['password', 'current-password'],
    ]);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByRole('button', { name: 'E-mail me a code instead' }).click();
    await page.getByLabel('Code').waitFor();
    const code = await page.evaluate(() => {
      const input = document.getElementById('code') as HTMLInputElement;
      return { autocomplete: input.autocomplete, inputMode: input.inputMode };
    });
    expect(code).toEqual({ autocomplete: 'one-time-code', inputMode: 'numeric' });
    await context.close();
  });

  it('moves focus to the field named by the error after a refused attempt, and tabs through the form in reading order', async () => {
    const { context, page } = await signInPage(acme);
    const order: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || ''));
      // The focused control shows an outline.
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    }
    expect(order).toEqual(['email', 'password', 'Sign in', 'E-mail me a code instead']);

    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await focusedId(page)).toBe('email');
    expect(await page.title()).toMatch(/^Error: Sign in/);

    await page.getByRole('button', { name: 'E-mail me a code instead' }).click();
    await page.getByLabel('Code').waitFor();
    const sent = sender.lastSent(user.email)!.code;
    await page.getByLabel('Code').fill(sent === '000000' ? '000001' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await focusedId(page)).toBe('code');
    expect(await page.getAttribute('#code', 'aria-describedby')).toContain('form-error');
    await context.close();
  });

  it("keeps the button readable and the focus outline visible whatever the tenant's colour (#ffff00), in both colour schemes", async () => {
    for (const [tenant, dark] of [
      [yellow, false],
      [yellow, true],
      [acme, false],
      [acme, true],
    ] as const) {
      const { context, page } = await signInPage(tenant, { dark });
      const button = page.getByRole('button', { name: 'Sign in' });
      const colours = await button.evaluate((el) => {
        const style = getComputedStyle(el);
        return { text: style.color, background: style.backgroundColor };
      });
      await page.getByLabel('Password').focus();
      await page.keyboard.press('Tab');
      expect(await focusedId(page)).toBe('BUTTON');
      const outline = await page.evaluate(() => ({
        outline: getComputedStyle(document.activeElement!).outlineColor,
        card: getComputedStyle(document.querySelector('.card')!).backgroundColor,
      }));
      const seen = { tenant: tenant.slug, dark, text: contrast(colours.text, colours.background), outline: contrast(outline.outline, outline.card) };
      // WCAG 2.1 AA: 4.5:1 for the button's text (1.4.3), 3:1 for the focus indicator against the card (1.4.11).
      expect({ ...seen, readable: seen.text >= 4.5, visible: seen.outline >= 3 }).toMatchObject({ readable: true, visible: true });
      await context.close();
    }
  });

  it('fits 320 CSS pixels without horizontal scrolling, with a tenant name and an e-mail address too long for a line', async () => {
    const { context, page } = await signInPage(acme, { width: 320 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBe(0);
    await page.getByLabel('E-mail').fill(`averyveryverylongmailboxnamewithoutbreaks@${'sub'.repeat(8)}.example`);
    await page.getByRole('button', { name: 'E-mail me a code instead' }).click();
    await page.getByLabel('Code').waitFor();
    expect(await overflow()).toBe(0);
    await context.close();
  });

  it('titles a refused sign-out as a sign-out, not as a sign-in to start again', async () => {
    const res = await fetch(`${t.url}/v1/t/${acme.slug}/oauth2/logout?id_token_hint=not-a-token`);
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(/<title>([^<]*)<\/title>/.exec(body)?.[1]).toMatch(/^Sign-out cannot continue – /);
    expect(body).not.toContain('signing in');
  });
});
