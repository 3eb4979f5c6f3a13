import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { classifyAddress } from '@credence/http';

/** The first bytes of a response kept with an attempt; the rest is not read. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export interface WebhookResponse {
  status: number;
  excerpt: string;
}

/** Delivery trouble (not a policy refusal): DNS, connection, TLS, timeout. */
export class WebhookSendFailure extends Error {}

export const urlRefused = (why: string) => new DomainError('webhook.url_refused', `Credence does not deliver to this URL: ${why}.`, [{ field: 'url', issue: why }]);

type Address = { address: string; family: number };

/** Idle keep-alive connections are closed after this long. */
const IDLE_SOCKET_MS = 4_000;
/** Idle connections kept per origin (an origin's endpoints share them). */
const MAX_IDLE_SOCKETS = 1_024;
/** Most agents (one per origin and vetted address) kept; past it they are all closed and made again. */
const MAX_AGENTS = 2_000;

/**
 * The SSRF guard of webhooks, at creation and at every delivery: http(s) only (https only in
 * production), no credentials in the URL, and every address the host resolves to must be public
 * (loopback too is refused, in every environment) unless WEBHOOK_ALLOWED_HOSTS lists the host or
 * host:port. The request connects to the address that was checked, so a second DNS answer cannot
 * swap it. Redirects are not followed; the response is read up to RESPONSE_EXCERPT_BYTES.
 */
@Injectable()
export class WebhookHttp implements OnApplicationShutdown {
  private readonly production: boolean;
  private readonly allowed: ReadonlySet<string>;
  /**
   * Keep-alive agents, one per origin and the address vetted for it: a delivery reuses a connection
   * only to the address it was vetted for, and an endpoint answering many deliveries is not asked
   * for a new TCP (and TLS) connection each time.
   */
  private readonly agents = new Map<string, HttpAgent>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.production = config.NODE_ENV === 'production';
    this.allowed = new Set(
      config.WEBHOOK_ALLOWED_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  /** The URL if Credence delivers to it; throws webhook.url_refused otherwise (DNS trouble too). */
  async vet(rawUrl: string): Promise<{ url: URL; address: Address }> {
    const url = this.parse(rawUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    let addresses: Address[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await Promise.race([
          dnsLookup(host, { all: true, verbatim: true }),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), this.config.WEBHOOK_CONNECT_TIMEOUT_MS).unref()),
        ]);
      } catch (err) {
        throw urlRefused(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    if (!addresses.length) throw urlRefused(`${host} does not resolve`);
    if (!this.allowed.has(host) && !this.allowed.has(url.host.toLowerCase())) {
      for (const a of addresses) {
        const kind = classifyAddress(a.address);
        if (kind !== 'public') throw urlRefused(`${host} resolves to a ${kind.replace('_', '-')} address`);
      }
    }
    return { url, address: addresses[0] };
  }

  private parse(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw urlRefused('not an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw urlRefused('only http and https URLs');
    if (this.production && url.protocol !== 'https:') throw urlRefused('https only in production');
    if (url.username || url.password) throw urlRefused('no user name or password in the URL');
    return url;
  }

  /** One POST to a vetted URL. Resolves with any status (3xx included: not followed); rejects on network trouble. */
  post(url: URL, address: Address, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    const lookup: LookupFunction = (_host, opts, callback) => {
      if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: Address[]) => void)(null, [address]);
      else callback(null, address.address, address.family);
    };
    const transport = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = this.agentFor(url, address);
    return new Promise<WebhookResponse>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      // A plain timer, not AbortSignal.timeout(): the signal and its listeners cost about 4 % of the delivery worker's CPU.
      const deadline = setTimeout(() => {
        timedOut = true;
        req.destroy(new WebhookSendFailure('timed out'));
      }, this.config.WEBHOOK_TIMEOUT_MS);
      const done = (response: WebhookResponse) => {
        clearTimeout(deadline);
        resolve(response);
      };
      const fail = (why: string) => {
        clearTimeout(connectTimer);
        clearTimeout(deadline);
        reject(new WebhookSendFailure(why));
      };
      const req = transport(
        url,
        {
          method: 'POST',
          lookup,
          agent,
          headers: { 'content-type': 'application/json', 'user-agent': 'Credence-Webhooks', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => done({ status: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8') });
          res.on('data', (chunk: Buffer) => {
            if (size >= RESPONSE_EXCERPT_BYTES) return;
            chunks.push(chunk);
            size += chunk.length;
            if (size >= RESPONSE_EXCERPT_BYTES) {
              finish();
              res.destroy();
            }
          });
          res.on('end', finish);
          res.on('error', () =>
            size >= RESPONSE_EXCERPT_BYTES ? undefined : fail(timedOut ? `timed out after ${this.config.WEBHOOK_TIMEOUT_MS} ms` : 'the response broke off'),
          );
        },
      );
      req.on('socket', (socket) => {
        if (req.reusedSocket) return; // already connected
        connectTimer = setTimeout(() => {
          req.destroy();
          fail(`could not connect within ${this.config.WEBHOOK_CONNECT_TIMEOUT_MS} ms`);
        }, this.config.WEBHOOK_CONNECT_TIMEOUT_MS);
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(timedOut ? `timed out after ${this.config.WEBHOOK_TIMEOUT_MS} ms` : `could not deliver: ${err.code ?? err.message}`));
      req.end(body);
    });
  }

  private agentFor(url: URL, address: Address): HttpAgent {
    const key = `${url.protocol}//${url.host}@${address.address}`;
    let agent = this.agents.get(key);
    if (!agent) {
      if (this.agents.size >= MAX_AGENTS) this.closeAgents();
      // One agent serves every endpoint of an origin: keep as many idle connections as are in use at once.
      const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const, maxFreeSockets: MAX_IDLE_SOCKETS };
      agent = url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every kept connection (at shutdown, or when too many agents are kept). */
  closeAgents(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  onApplicationShutdown(): void {
    this.closeAgents();
  }
}
