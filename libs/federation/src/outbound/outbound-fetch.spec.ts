import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DomainError } from '@credence/errors';
import { OutboundFailure, OutboundFetch } from './outbound-fetch';

const dev = new OutboundFetch({ NODE_ENV: 'test', FEDERATION_ALLOWED_HOSTS: '' });
const production = new OutboundFetch({ NODE_ENV: 'production', FEDERATION_ALLOWED_HOSTS: '' });
const limits = { maxBytes: 1024, timeoutMs: 2_000 };

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe('federation.outbound_refused');
  return err as DomainError;
}

async function failure(p: Promise<unknown>): Promise<OutboundFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundFailure);
  return err as OutboundFailure;
}

/** A real HTTP server on a loopback port, answering by path. */
describe('OutboundFetch (the SSRF guard) against a local server', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/ok') res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      else if (req.url === '/echo') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () =>
          res.writeHead(201, { 'content-type': 'application/json', 'x-seen': 'yes' }).end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body })),
        );
      } else if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/big-declared') res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
      else if (req.url === '/big-chunked') {
        res.writeHead(200);
        for (let i = 0; i < 10; i += 1) res.write('y'.repeat(500));
        res.end();
      } else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 5_000).unref();
      else res.writeHead(404).end('no');
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    dev.onModuleDestroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends a POST with its headers and body (an OIDC token request), and returns the response headers', async () => {
    const res = await dev.request(`${base}/echo`, { ...limits, method: 'POST', headers: { authorization: 'Basic abc' }, body: 'grant_type=authorization_code' });
    expect(res.status).toBe(201);
    expect(res.headers['x-seen']).toBe('yes');
    expect(JSON.parse(res.body.toString())).toEqual({ method: 'POST', auth: 'Basic abc', body: 'grant_type=authorization_code' });
  });

  it('fetches from loopback over http outside production', async () => {
    const res = await dev.fetch(`${base}/ok`, limits);
    expect(res).toMatchObject({ status: 200, contentType: 'text/plain', body: Buffer.from('hello') });
    const port = (server.address() as AddressInfo).port;
    expect((await dev.fetch(`http://localhost:${port}/ok`, limits)).status).toBe(200);
    expect((await dev.fetch(`http://127.1:${port}/ok`, limits)).status).toBe(200);
    expect((await dev.fetch(`${base}/missing`, limits)).status).toBe(404);
  });

  it('refuses the same server in production, before connecting: plain http, and loopback over https', async () => {
    const before = hits;
    expect((await refusal(production.fetch(`${base}/ok`, limits))).message).toMatch(/https only/);
    const port = (server.address() as AddressInfo).port;
    for (const host of ['127.0.0.1', '127.1', '0x7f.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost']) {
      expect((await refusal(production.fetch(`https://${host}:${port}/ok`, limits))).message).toMatch(/loopback/);
    }
    expect(hits).toBe(before);
  });

  it('lets a production guard reach a host FEDERATION_ALLOWED_HOSTS lists (by name or host:port)', async () => {
    const port = (server.address() as AddressInfo).port;
    const byName = new OutboundFetch({ NODE_ENV: 'production', FEDERATION_ALLOWED_HOSTS: ' LOCALHOST , idp.internal' });
    // Vetting passes; the TLS handshake with a plain-http server then fails: a failure, not a refusal.
    expect((await failure(byName.fetch(`https://localhost:${port}/ok`, limits))).detail).toMatch(/could not fetch/);
    const byHostPort = new OutboundFetch({ NODE_ENV: 'production', FEDERATION_ALLOWED_HOSTS: `127.0.0.1:${port}` });
    await failure(byHostPort.fetch(`https://127.0.0.1:${port}/ok`, limits));
    await refusal(byHostPort.fetch(`https://127.0.0.1:${port + 1}/ok`, limits));
  });

  it('refuses private, link-local, unspecified and multicast addresses in every environment', async () => {
    for (const url of [
      'http://10.0.0.1/',
      'http://192.168.0.1/',
      'http://172.16.5.4/',
      'http://100.64.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://224.0.0.1/',
    ]) {
      await refusal(dev.fetch(url, limits));
    }
  });

  it('refuses URLs that are not http(s) or carry credentials', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1/', 'ftp://example.com/', 'not a url', `http://user:pw@127.0.0.1/`]) {
      await refusal(dev.fetch(url, limits));
    }
  });

  it('does not follow a redirect', async () => {
    expect((await refusal(dev.fetch(`${base}/redirect`, limits))).message).toMatch(/redirect/);
  });

  it('keeps the connection alive between requests to the same vetted address, and opens a new one when the server closed it', async () => {
    const fresh = new OutboundFetch({ NODE_ENV: 'test', FEDERATION_ALLOWED_HOSTS: '' });
    try {
      const before = connections;
      for (let i = 0; i < 3; i += 1) expect((await fresh.fetch(`${base}/ok`, limits)).body.toString()).toBe('hello');
      expect((await fresh.request(`${base}/echo`, { ...limits, method: 'POST', body: 'x=1' })).status).toBe(201);
      expect(connections - before).toBe(1);
      server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 50));
      expect((await fresh.fetch(`${base}/ok`, limits)).body.toString()).toBe('hello');
      expect(connections - before).toBe(2);
      // A refused redirect and a capped body drop their socket: the next request still gets a whole answer.
      await refusal(fresh.fetch(`${base}/redirect`, limits));
      await failure(fresh.fetch(`${base}/big-chunked`, limits));
      expect((await fresh.fetch(`${base}/ok`, limits)).body.toString()).toBe('hello');
    } finally {
      fresh.onModuleDestroy();
    }
  });

  it('caps the body, declared or streamed', async () => {
    expect((await failure(dev.fetch(`${base}/big-declared`, limits))).detail).toMatch(/larger than 1024/);
    expect((await failure(dev.fetch(`${base}/big-chunked`, limits))).detail).toMatch(/larger than 1024/);
  });

  it('gives up at the deadline', async () => {
    const started = Date.now();
    expect((await failure(dev.fetch(`${base}/slow`, { maxBytes: 1024, timeoutMs: 300 }))).detail).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a closed port and an unknown host as failures', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect((await failure(dev.fetch(`http://127.0.0.1:${port}/`, limits))).detail).toMatch(/ECONNREFUSED/);
    expect((await failure(dev.fetch('http://no-such-host.invalid/', limits))).detail).toMatch(/could not resolve/);
  });
});
