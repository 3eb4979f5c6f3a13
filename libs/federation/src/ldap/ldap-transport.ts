import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect, ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { DomainError } from '@credence/errors';
import type { LdapSettings } from '../connections/connection';
import { OutboundFailure, OutboundFetch } from '../outbound/outbound-fetch';
import { describeLdapError, LdapUnavailable } from './ldap-unavailable';

/**
 * Refusals of the address policy, before any packet goes out: in production only ldaps:// or
 * StartTLS (a password never crosses the network in clear), and the host's addresses must pass the
 * same SSRF guard as every other outbound call of federation (no loopback, private or link-local
 * address unless FEDERATION_ALLOWED_HOSTS lists the host).
 */
export function ldapUrlProblem(settings: Pick<LdapSettings, 'url' | 'start_tls'>, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    return 'ldap.url is not a URL';
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') return 'ldap.url must be ldap:// or ldaps://';
  if (production && url.protocol === 'ldap:' && !settings.start_tls) return 'in production ldap.url must be ldaps:// or use start_tls';
  return undefined;
}

/** TLS options for the directory: its own CA when the connection has one (replacing the system CAs), TLS 1.2 or later, the URL's host name checked. */
function tlsOptions(settings: LdapSettings, host: string): ConnectionOptions {
  return {
    ...(settings.ca_certificate ? { ca: [settings.ca_certificate] } : {}),
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    host,
    // SNI and the certificate check use the name; an IP literal is checked against the certificate's IP SANs.
    ...(isIP(host) ? {} : { servername: host }),
  };
}

/**
 * An ldapts client for the connection, not yet bound: StartTLS done when asked (ldap://), otherwise it
 * connects (ldaps://: with the TLS handshake) on its first operation. The host is resolved once and vetted; the socket goes to that address (the TLS name
 * stays the URL's host), so a second DNS answer cannot swap it. Every connect and every operation
 * gives up after `timeoutMs`. The client never keeps a password (autoRebind off).
 */
export async function openLdapClient(settings: LdapSettings, outbound: OutboundFetch, timeoutMs: number): Promise<Client> {
  const problem = ldapUrlProblem(settings, outbound.policy.production);
  if (problem) throw new LdapUnavailable(problem);
  const url = new URL(settings.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let vetted: { address: string };
  try {
    vetted = await outbound.vettedAddress(url, AbortSignal.timeout(timeoutMs));
  } catch (err) {
    if (err instanceof DomainError) throw new LdapUnavailable(err.details?.[0]?.issue ?? err.message);
    if (err instanceof OutboundFailure) throw new LdapUnavailable(err.detail);
    throw err;
  }
  const tls = tlsOptions(settings, host);
  const secure = url.protocol === 'ldaps:';
  const client = new Client({
    url: settings.url,
    timeout: timeoutMs,
    connectTimeout: timeoutMs,
    autoRebind: false,
    ...(secure
      ? {
          tlsOptions: tls,
          createSecureConnection: ((port: number, _host: string, options: ConnectionOptions) =>
            tlsConnect({ ...options, port, host: vetted.address, ...(isIP(host) ? {} : { servername: host }) })) as unknown as typeof tlsConnect,
        }
      : { createConnection: ((port: number) => netConnect({ port, host: vetted.address })) as unknown as typeof netConnect }),
  });
  if (!secure && settings.start_tls) {
    try {
      await client.startTLS(tls);
    } catch (err) {
      destroy(client);
      throw new LdapUnavailable(`StartTLS: ${describeLdapError(err)}`);
    }
  }
  return client;
}

/** Drops the connection at once (a failed or timed-out client): pending operations fail, nothing waits on the directory. */
export function destroy(client: Client): void {
  (client as unknown as { socket?: { destroy(): void } }).socket?.destroy();
}

/** Ends a healthy connection politely (an Unbind), without waiting long for a directory that may go silent. */
export async function close(client: Client): Promise<void> {
  const timer = setTimeout(() => destroy(client), 1000);
  await client.unbind().catch(() => undefined);
  clearTimeout(timer);
}
