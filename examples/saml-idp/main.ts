/**
 * A SAML 2.0 IdP for trying Credence's SAML connections on one machine: samlify 2 (schema-validating
 * every message with xmllint) answers a connection's AuthnRequests with signed Responses for whoever
 * you say you are. For development only: it asks for no password. `npm run example:saml-idp`; see README.md.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import * as xmllint from '@authenio/samlify-node-xmllint';
import * as samlify from 'samlify';
import { newSpCredential } from '@credence/federation';

samlify.setSchemaValidator(xmllint);

const PORT = Number(process.env.PORT ?? 7000);
const BASE = (process.env.IDP_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, '');
/**
 * Credence's SP metadata for the connection (its saml.sp_metadata_url). Unset: read from each
 * AuthnRequest's Issuer, which for Credence is that same URL.
 */
const SP_METADATA_URL = process.env.SP_METADATA_URL;
const STATE_DIR = process.env.IDP_STATE_DIR ?? join(process.cwd(), '.credence', 'saml-idp');

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font:16px system-ui;max-width:34rem;margin:3rem auto">` +
  `<h1>${escape(title)}</h1>${body}</body></html>`;

/** The IdP's signing key and certificate, kept between runs so the connection's copy stays valid. */
async function credential(): Promise<{ key: string; cert: string }> {
  const file = join(STATE_DIR, 'credential.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const made = await newSpCredential('Credence example IdP', 'signing');
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ key: made.privateKeyPem, cert: made.certificatePem }), { mode: 0o600 });
  return { key: made.privateKeyPem, cert: made.certificatePem };
}

async function main(): Promise<void> {
  const { key, cert } = await credential();
  const idp = samlify.IdentityProvider({
    entityID: `${BASE}/metadata`,
    privateKey: key,
    signingCert: cert,
    wantAuthnRequestsSigned: true,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${BASE}/sso` }],
    singleLogoutService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${BASE}/slo` }],
  } as Parameters<typeof samlify.IdentityProvider>[0]);
  /** Sign-ins waiting for the person to say who they are: id → the parsed AuthnRequest and RelayState. */
  const pending = new Map<string, { request: unknown; relayState?: string; sp: ReturnType<typeof samlify.ServiceProvider> }>();

  const sp = async (samlRequest: string | null) => {
    const issuer = samlRequest
      ? /<(?:\w+:)?Issuer[^>]*>([^<]+)</.exec(inflateRawSync(Buffer.from(samlRequest, 'base64'), { maxOutputLength: 1 << 20 }).toString())?.[1]
      : undefined;
    const metadataUrl = SP_METADATA_URL ?? issuer;
    if (!metadataUrl || !/^https?:\/\//.test(metadataUrl)) throw new Error('no SP metadata URL: set SP_METADATA_URL');
    const res = await fetch(metadataUrl);
    if (!res.ok) throw new Error(`SP metadata: ${res.status}`);
    return samlify.ServiceProvider({ metadata: await res.text() });
  };

  const routes: Record<string, (req: IncomingMessage, url: URL, res: ServerResponse) => Promise<void>> = {
    '/metadata': async (_req, _url, res) => {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.getMetadata());
    },
    // Credence's AuthnRequest (HTTP-Redirect, signed): checked, then the person says who they are.
    '/sso': async (_req, url, res) => {
      const raw = url.search.slice(1);
      const octetString = raw.includes('&Signature=') ? raw.slice(0, raw.indexOf('&Signature=')) : raw;
      const target = await sp(url.searchParams.get('SAMLRequest'));
      const request = await idp.parseLoginRequest(target, 'redirect', { query: Object.fromEntries(url.searchParams), octetString });
      const id = randomBytes(16).toString('hex');
      pending.set(id, { request, relayState: url.searchParams.get('RelayState') ?? undefined, sp: target });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        page(
          'Example IdP: who are you?',
          `<p>Credence asked this IdP to sign someone in. No password here: this IdP is for trying things out.</p>
<form method="post" action="/sso/answer"><input type="hidden" name="id" value="${id}">
<p><label>E-mail <input name="email" type="email" required autofocus></label></p>
<p><button type="submit">Sign in</button></p></form>`,
        ),
      );
    },
    // The signed Response, posted to the connection's ACS by the browser (HTTP-POST binding).
    '/sso/answer': async (req, _url, res) => {
      const form = new URLSearchParams(await body(req));
      const waiting = pending.get(form.get('id') ?? '');
      const email = form.get('email') ?? '';
      if (!waiting || !email.includes('@')) return void res.writeHead(400).end('unknown or expired sign-in');
      pending.delete(form.get('id')!);
      const answer = (await idp.createLoginResponse(waiting.sp, waiting.request as never, 'post', { email }, { relayState: waiting.relayState })) as {
        context: string;
        entityEndpoint: string;
        relayState?: string;
      };
      const relay = waiting.relayState ? `<input type="hidden" name="RelayState" value="${escape(waiting.relayState)}">` : '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        page(
          'Signed in at the example IdP',
          `<form method="post" action="${escape(answer.entityEndpoint)}"><input type="hidden" name="SAMLResponse" value="${escape(answer.context)}">${relay}
<p>Signed in as ${escape(email)}. <button type="submit">Continue to Credence</button></p></form>`,
        ),
      );
    },
    '/slo': async (_req, _url, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Signed out of the example IdP', '<p>You can close this window.</p>'));
    },
  };

  createServer((req, res) => {
    const url = new URL(req.url ?? '/', BASE);
    const route = routes[url.pathname];
    if (!route) return void res.writeHead(404).end('not found');
    route(req, url, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`refused: ${String(err)}`);
    });
  }).listen(PORT, () => process.stdout.write(`example SAML IdP on ${BASE} (metadata ${BASE}/metadata; SP metadata ${SP_METADATA_URL ?? 'from each request'})\n`));
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.length > 64 * 1024) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

void main();
