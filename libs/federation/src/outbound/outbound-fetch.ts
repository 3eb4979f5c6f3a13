import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { AddressKind, classifyAddress } from '@credence/http';

export interface OutboundPolicy {
  /** https only, and loopback refused too (unless allowed). */
  production: boolean;
  /** Lower-case host names or host:port pairs fetched from whatever their address. */
  allowedHosts: ReadonlySet<string>;
}

export interface OutboundOptions {
  maxBytes: number;
  timeoutMs: number;
  accept?: string;
}

/** A request other than a plain GET (an OIDC token or userinfo call): its method, headers and body. */
export interface OutboundRequest extends OutboundOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface OutboundResponse {
  status: number;
  contentType: string | undefined;
  /** Every response header, lower-case names (a repeated header joined with ", "). */
  headers: Record<string, string>;
  body: Buffer;
}

/** The fetch failed (not refused by policy): DNS, connection, TLS, timeout, size. `detail` is safe to show the tenant admin. */
export class OutboundFailure extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'OutboundFailure';
  }
}

export function parseAllowedHosts(list: string): Set<string> {
  return new Set(
    list
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * Idle keep-alive sockets are closed after this long: below the 5 s keep-alive timeout of Node servers and
 * most proxies, so Credence closes an idle socket before the IdP does and rarely writes into a closing one.
 */
const IDLE_SOCKET_MS = 4000;
/** Keep-alive pools (one per vetted address) one process keeps; the oldest is closed first. */
const MAX_AGENTS = 256;
/** Idle sockets kept per pool. */
const MAX_IDLE_SOCKETS = 16;

const refuse = (why: string) => new DomainError('federation.outbound_refused', `Credence does not fetch from this address: ${why}.`, [{ issue: why }]);

/**
 * The one way federation reaches the outside (IdP metadata; OIDC discovery, JWKS, token and userinfo): an SSRF guard.
 * - https only in production;
 * - the host is resolved here and every address it has must be public (no loopback, private, CGNAT,
 *   link-local, unspecified, multicast, reserved, nor IPv4-mapped forms of those), unless
 *   FEDERATION_ALLOWED_HOSTS lists the host; outside production loopback is allowed (tests);
 * - the connection goes to the address that was checked (the socket's lookup returns it), so a
 *   second DNS answer cannot swap it (no TOCTOU / DNS rebinding);
 * - redirects are not followed (a redirect is a refusal), the body is capped while it streams, and
 *   the whole exchange has one deadline;
 * - connections are kept alive (an OIDC callback's token request would otherwise pay a TCP and TLS
 *   handshake each time), in one pool per scheme, host, port and vetted address: a socket is only
 *   reused for a request whose own check picked the same address, so keep-alive never skips the guard.
 * Policy refusals throw DomainError federation.outbound_refused; network trouble throws OutboundFailure.
 */
@Injectable()
export class OutboundFetch implements OnModuleDestroy {
  readonly policy: OutboundPolicy;
  private readonly agents = new Map<string, HttpAgent>();

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'NODE_ENV' | 'FEDERATION_ALLOWED_HOSTS'>) {
    this.policy = { production: config.NODE_ENV === 'production', allowedHosts: parseAllowedHosts(config.FEDERATION_ALLOWED_HOSTS) };
  }

  async fetch(rawUrl: string, options: OutboundOptions): Promise<OutboundResponse> {
    return this.request(rawUrl, { ...options, method: 'GET' });
  }

  /** The same guard for any request; the caller's headers go out as given, after Credence's own. */
  async request(rawUrl: string, options: OutboundRequest): Promise<OutboundResponse> {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const url = this.checkUrl(rawUrl);
    const address = await this.vettedAddress(url, deadline);
    return this.send(url, address, options, deadline);
  }

  /** The URL if its form is one we fetch; throws the refusal otherwise. */
  checkUrl(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw refuse('not an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('only http and https URLs');
    if (this.policy.production && url.protocol !== 'https:') throw refuse('https only in production');
    if (url.username || url.password) throw refuse('no user name or password in the URL');
    return url;
  }

  /**
   * The address to connect to: every address of the host must pass (a host with one private address is
   * refused). Also for LDAP URLs (the caller checks their scheme): connect to this address, never the name again.
   */
  async vettedAddress(url: URL, deadline: AbortSignal): Promise<{ address: string; family: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const allowed = this.policy.allowedHosts.has(host) || this.policy.allowedHosts.has(url.host.toLowerCase());
    let addresses: { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await Promise.race([
          dnsLookup(host, { all: true, verbatim: true }),
          new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(new Error('timed out')), { once: true })),
        ]);
      } catch (err) {
        throw new OutboundFailure(`could not resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    if (!addresses.length) throw new OutboundFailure(`could not resolve ${host}`);
    if (!allowed) {
      for (const a of addresses) {
        const kind = classifyAddress(a.address);
        if (!this.permitted(kind)) throw refuse(`${host} resolves to a ${kind.replace('_', '-')} address`);
      }
    }
    return addresses[0];
  }

  private permitted(kind: AddressKind): boolean {
    return kind === 'public' || (kind === 'loopback' && !this.policy.production);
  }

  private send(url: URL, vetted: { address: string; family: number }, options: OutboundRequest, deadline: AbortSignal): Promise<OutboundResponse> {
    // Every lookup of this request answers with the vetted address (the TLS name stays url.hostname).
    const lookup: LookupFunction = (_host, opts, callback) => {
      if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [vetted]);
      else callback(null, vetted.address, vetted.family);
    };
    const transport = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = this.agentFor(url, vetted);
    const attempt = (retry: boolean) =>
      new Promise<OutboundResponse>((resolve, reject) => {
        const headers = { accept: options.accept ?? '*/*', 'user-agent': 'Credence', ...options.headers };
        let answered = false;
        const req = transport(url, { method: options.method, lookup, signal: deadline, headers, agent }, (res) => {
          answered = true;
          this.read(res, options, deadline, resolve, reject);
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed as we wrote into it: the request never reached it; once more on a new socket.
          if (retry && req.reusedSocket && !answered && !deadline.aborted && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
            attempt(false).then(resolve, reject);
            return;
          }
          reject(deadline.aborted ? new OutboundFailure(`timed out after ${options.timeoutMs} ms`) : new OutboundFailure(`could not fetch: ${err.code ?? err.message}`));
        });
        req.end(options.body);
      });
    return attempt(true);
  }

  /** The keep-alive pool for this scheme, host, port and vetted address (sockets it opens connect to that address only). */
  private agentFor(url: URL, vetted: { address: string; family: number }): HttpAgent {
    const key = `${url.protocol}//${url.host}@${vetted.address}`;
    let agent = this.agents.get(key);
    if (agent) {
      // Most recently used last: the first entry is the one to close when the map is full.
      this.agents.delete(key);
    } else {
      const settings = { keepAlive: true, maxFreeSockets: MAX_IDLE_SOCKETS, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const };
      agent = url.protocol === 'https:' ? new HttpsAgent(settings) : new HttpAgent(settings);
      if (this.agents.size >= MAX_AGENTS) {
        const [oldKey, oldest] = this.agents.entries().next().value!;
        this.agents.delete(oldKey);
        oldest.destroy();
      }
    }
    this.agents.set(key, agent);
    return agent;
  }

  onModuleDestroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private read(res: IncomingMessage, options: OutboundOptions, deadline: AbortSignal, resolve: (r: OutboundResponse) => void, reject: (e: unknown) => void): void {
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      res.destroy();
      reject(refuse(`the server answered with a redirect (${status}), which Credence does not follow`));
      return;
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      res.destroy();
      reject(new OutboundFailure(`the response is larger than ${options.maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) {
        res.destroy();
        reject(new OutboundFailure(`the response is larger than ${options.maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('error', (err) => reject(new OutboundFailure(deadline.aborted ? `timed out after ${options.timeoutMs} ms` : `could not fetch: ${err.message}`)));
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
    res.on('end', () => resolve({ status, contentType: res.headers['content-type'], headers, body: Buffer.concat(chunks) }));
  }
}
