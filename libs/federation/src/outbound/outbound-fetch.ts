import { Inject, Injectable } from '@nestjs/common';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
 *   the whole exchange has one deadline.
 * Policy refusals throw DomainError federation.outbound_refused; network trouble throws OutboundFailure.
 */
@Injectable()
export class OutboundFetch {
  readonly policy: OutboundPolicy;

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
    return new Promise<OutboundResponse>((resolve, reject) => {
      const headers = { accept: options.accept ?? '*/*', 'user-agent': 'Credence', ...options.headers };
      const req = transport(url, { method: options.method, lookup, signal: deadline, headers, agent: false }, (res) => this.read(res, options, deadline, resolve, reject));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(deadline.aborted ? new OutboundFailure(`timed out after ${options.timeoutMs} ms`) : new OutboundFailure(`could not fetch: ${err.code ?? err.message}`)),
      );
      req.end(options.body);
    });
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
