import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback whose paths answer as the test says. */
export class Receiver {
  readonly seen: Received[] = [];
  readonly plan = new Map<string, (n: number) => number | 'hang' | { redirect: string }>();
  server!: Server;
  base!: string;
  port!: number;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.seen.push({ path, headers: req.headers, body });
        const n = this.seen.filter((s) => s.path === path).length;
        const answer = this.plan.get(path)?.(n) ?? 200;
        if (answer === 'hang') return;
        if (typeof answer === 'object') return void res.writeHead(302, { location: answer.redirect }).end();
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(`answer ${answer} ${'x'.repeat(5000)}`);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${this.port}`;
  }

  at(path: string): Received[] {
    return this.seen.filter((s) => s.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
