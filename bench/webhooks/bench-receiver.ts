/**
 * The receiver of the webhooks benchmark: one HTTP server on loopback for every endpoint. `/ok/<n>`
 * answers 204 at once; `/hang/<n>` answers at once too, or, while the bench says `hang`, never (the
 * sender's timeout ends it). Reports what it received (webhook-id, path, time) in batches, the
 * hanging requests the sender gave up on, and its CPU time.
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

const now = () => performance.timeOrigin + performance.now();
let hang = false;
let received: [string, string, number][] = [];
let abandoned = 0;

const server = createServer((req, res) => {
  const t = now();
  const path = req.url ?? '/';
  received.push([String(req.headers['webhook-id']), path, t]);
  req.resume();
  if (hang && path.startsWith('/hang/')) {
    req.socket.once('close', () => (abandoned += 1));
    return;
  }
  req.once('end', () => res.writeHead(204).end());
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => process.send!({ ready: true, port: (server.address() as AddressInfo).port }));

setInterval(() => {
  if (!received.length) return;
  process.send!({ received });
  received = [];
}, 100).unref();

process.on('message', (m: { hang?: boolean; cpu?: boolean; abandoned?: boolean }) => {
  if (m.hang !== undefined) {
    hang = m.hang;
    if (!hang) server.closeIdleConnections();
    process.send!({ hangSet: hang });
  }
  if (m.cpu) process.send!({ cpu: process.cpuUsage(), abandoned });
});
