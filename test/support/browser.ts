import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core, for the hosted login page's browser tests.
 * `scripts/install-browser.sh` installs it (CI runs it); CHROMIUM_PATH points elsewhere if needed.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * The flags STACK.md names: no sandbox (tests run as root in containers), no GPU, no QUIC (the
 * servers under test speak HTTP/1.1 on loopback), and none of the background traffic to Google
 * (component updates, sync, field trials) that would slow the first page and leak outside.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  browser: Browser;
  /** The first context: its own temporary profile, so no cookies from another test. */
  context: BrowserContext;
  /** A page in the first context. */
  newPage(): Promise<Page>;
  /** Another context with its own cookie jar: a second, unrelated browser. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Launches chromium with a fresh temporary profile (playwright creates and removes it). */
export async function launchBrowser({ executablePath = CHROMIUM_PATH } = {}): Promise<TestBrowser> {
  if (!existsSync(executablePath)) {
    throw new Error(`chromium not found at ${executablePath}: run scripts/install-browser.sh (as root), or set CHROMIUM_PATH`);
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const context = await browser.newContext();
    return {
      browser,
      context,
      newPage: () => context.newPage(),
      newContext: () => browser.newContext(),
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/**
 * page.waitForURL, but a timeout says where the browser is and what the page shows (an app's 502, an
 * error page of Credence) instead of only "Timeout exceeded".
 */
export async function arriveAt(page: Page, url: string | RegExp, timeout = 30_000): Promise<void> {
  try {
    await page.waitForURL(url, { timeout });
  } catch (err) {
    const shown = await page.innerText('body', { timeout: 2_000 }).catch(() => null);
    const text = shown?.replace(/\s+/g, ' ').trim().slice(0, 800) ?? '(nothing readable)';
    throw new Error(`the browser did not reach ${String(url)} within ${timeout} ms: it is at ${page.url()}, showing: ${text}\n${(err as Error).message}`, {
      cause: err,
    });
  }
}
