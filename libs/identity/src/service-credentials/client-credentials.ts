import { DomainError } from '@credence/errors';

export interface PresentedClient {
  clientId: string;
  secret: string;
}

/**
 * Visible ASCII only (client ids are `csc_` and 22 base64url characters): a NUL or a control character,
 * which a Basic header carries past the input guards (they see only its base64), is no client and
 * never reaches Postgres.
 */
const CLIENT_ID = /^[\x21-\x7e]{1,100}$/;
const MAX_SECRET = 200;

/** RFC 6749 §2.3.1: the Basic user name and password are each form-urlencoded first. */
function formDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function fromBasic(header: string): PresentedClient | undefined {
  const m = /^basic +([A-Za-z0-9+/=]{1,1024})$/i.exec(header.trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return clientId !== undefined && secret !== undefined ? { clientId, secret } : undefined;
}

/**
 * The credentials a service presented: client_secret_basic (Authorization: Basic) or
 * client_secret_post (client_id and client_secret in the body), never both. `undefined` when absent
 * or unusable; the caller answers that as an invalid client.
 */
export function presentedClient(authorization: string | undefined, body: unknown): PresentedClient | undefined {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const inBody = fields.client_id !== undefined || fields.client_secret !== undefined;
  if (authorization !== undefined && inBody) {
    throw new DomainError('validation.failed', 'Use one client authentication method.', [{ issue: 'send either Authorization: Basic or client_id and client_secret, not both' }]);
  }
  const presented = authorization !== undefined ? fromBasic(authorization) : inBody ? fromBody(fields) : undefined;
  if (!presented || !CLIENT_ID.test(presented.clientId) || !presented.secret || presented.secret.length > MAX_SECRET) return undefined;
  return presented;
}

function fromBody(fields: Record<string, unknown>): PresentedClient | undefined {
  const { client_id: clientId, client_secret: secret } = fields;
  return typeof clientId === 'string' && typeof secret === 'string' ? { clientId, secret } : undefined;
}
