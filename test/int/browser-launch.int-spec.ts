import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arriveAt, CHROMIUM_ARGS, launchBrowser, type TestBrowser } from '../support/browser';

/**
 * The browser harness works under jest: Debian's chromium, driven by playwright-core, loads a page
 * from a local server, fills its form and submits it, and the server sees the POST.
 */
describe('browser harness (chromium + playwright-core)', () => {
  const posts: { path: string; type: string | undefined; body: string }[] = [];
  let server: Server;
  let base: string;
  let browser: TestBrowser;

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => resolve(body));
      req.on('error', reject);
    });

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        if (req.method === 'GET' && req.url === '/') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            `<!DOCTYPE html><title>Form</title><form method="post" action="/submit">` +
              `<label for="name">Name</label><input id="name" name="name"><button type="submit">Send</button></form>`,
          );
          return;
        }
        if (req.method === 'POST' && req.url === '/submit') {
          const body = await readBody(req);
          posts.push({ path: req.url, type: req.headers['content-type'], body });
          const name = new URLSearchParams(body).get('name') ?? '';
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(`<!DOCTYPE html><title>Thanks</title><p id="answer">Received ${name.replace(/[^a-z ]/gi, '')}</p>`);
          return;
        }
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('fills and submits a form; the server receives the POST and the page shows its answer', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await Promise.all([page.waitForURL(`${base}/submit`), page.getByRole('button', { name: 'Send' }).click()]);

    expect(posts).toEqual([{ path: '/submit', type: 'application/x-www-form-urlencoded', body: 'name=Ada+Lovelace' }]);
    expect(await page.locator('#answer').textContent()).toBe('Received Ada Lovelace');
    await page.close();
  });

  it('runs Debian chromium with the flags the harness names', async () => {
    expect(browser.browser.version()).toMatch(/^\d+\./);
    // The browser process is a child of this jest worker; its command line carries every flag.
    const mine = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .map((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return { ppid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') };
        } catch {
          return undefined; // gone meanwhile
        }
      })
      .filter((p) => p?.ppid === process.pid && p.argv.some((a) => a.includes('chromium')));
    expect(mine.length).toBeGreaterThan(0);
    for (const flag of CHROMIUM_ARGS) expect(mine[0]!.argv).toContain(flag);
  });

  it('a second context has its own cookie jar', async () => {
    await browser.context.addCookies([{ name: 'who', value: 'first', url: base }]);
    const other = await browser.newContext();
    expect(await other.cookies(base)).toEqual([]);
    expect((await browser.context.cookies(base)).map((c) => c.value)).toEqual(['first']);
    await other.close();
  });

  it('when a page never arrives, says where the browser is and what it shows', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await expect(arriveAt(page, /\/somewhere-else/, 300)).rejects.toThrow(`it is at ${base}/, showing: Name`);
    await arriveAt(page, `${base}/`); // already there
    await page.close();
  });

  it('says how to install chromium when it is missing', async () => {
    await expect(launchBrowser({ executablePath: '/nonexistent/chromium' })).rejects.toThrow(/run scripts\/install-browser\.sh/);
  });
});
